"""demo_api_key FILE: print a working all-scopes demo key, kept in FILE (git-ignored) across runs.

A raw key cannot be recovered from its hash, so the run script keeps the demo key in a
local file; a new one is made only when that file is missing or its key no longer works.
"""
from pathlib import Path

from django.core.management.base import BaseCommand

from verso.api import keys, services
from verso.api.scopes import ALL_SCOPES


class Command(BaseCommand):
    help = "Print the demo Staff API key, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        raw = path.read_text().strip() if path.exists() else ""
        principal = keys.lookup(raw) if raw else None
        if principal is None or principal.revoked or principal.is_expired or principal.supplier_id:
            _, raw = services.api_key_create(name="Demo key (all scopes)", scopes=ALL_SCOPES)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(raw)
            path.chmod(0o600)
        self.stdout.write(raw)
