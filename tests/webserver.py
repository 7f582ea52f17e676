"""A real HTTP server on a loopback address for tests that fetch URLs, and real image files.

``LocalServer("127.0.0.1")`` runs a ThreadingHTTPServer in a thread; tests give it routes
(a fixed answer, or a function that writes its own) and read ``hits`` to see what it was
asked. Nothing here mocks our own code: the fetcher really connects to it.
"""
import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


class LocalServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict = {}
        self.hits: list[str] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                server.hits.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on us: what several tests want

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, content_type: str = "application/octet-stream",
              headers: dict | None = None) -> str:
        """Answer GET ``path`` with ``body``; returns the URL."""

        def answer(handler):
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = answer
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.serve(path, b"", status=status, headers={"Location": location})

    def route(self, path: str, answer) -> str:
        """Answer GET ``path`` with ``answer(handler)``, which writes the whole response itself."""
        self.routes[path] = answer
        return self.url(path)


# --- real image files --------------------------------------------------------------------------


def image_bytes(kind: str, size=(64, 48), color=(200, 30, 60), **save_options) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if kind == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, kind, **save_options)
    return out.getvalue()


def jpeg_with_exif(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"  # Make
    exif[0x013B] = "Jane Photographer"  # Artist
    return image_bytes("JPEG", size, exif=exif.tobytes())


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` pixels (Pillow's own bomb test idea)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 16)  # a few rows; decoding would never get that far
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
