"""JSON request bodies parsed with orjson: fast, strict, and refusing absurd nesting with a 400."""
import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        try:
            return orjson.loads(body)
        except (orjson.JSONDecodeError, RecursionError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
