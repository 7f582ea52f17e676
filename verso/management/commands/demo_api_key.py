"""demo_api_key [--supplier SLUG] FILE: print a working demo key, kept in FILE (git-ignored) across runs.

A raw key cannot be recovered from its hash, so the run script keeps each demo key in a
local file; a new one is made only when that file is missing or its key no longer works.
Without ``--supplier`` it is an all-scopes Staff API key; with it, a Supplier API key of
that supplier.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verso.api import keys, services
from verso.api.scopes import ALL_SCOPES


class Command(BaseCommand):
    help = "Print the demo Staff API key (with --supplier, that supplier's Supplier API key), creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--supplier", metavar="SLUG", help="Make it a Supplier API key of this supplier.")

    def handle(self, *args, **options):
        supplier = None
        if options["supplier"]:
            from supplier.models import Supplier

            supplier = Supplier.objects.filter(slug=options["supplier"]).first()
            if supplier is None:
                raise CommandError(f"No supplier with slug '{options['supplier']}'.")
        path = Path(options["file"])
        raw = path.read_text().strip() if path.exists() else ""
        principal = keys.lookup(raw) if raw else None
        usable = principal is not None and not principal.revoked and not principal.is_expired
        if not usable or principal.supplier_id != (supplier.pk if supplier else None):
            if supplier is None:
                _, raw = services.api_key_create(name="Demo key (all scopes)", scopes=ALL_SCOPES)
            else:
                _, raw = services.api_key_create(name="Demo supplier key", scopes=[], supplier=supplier)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(raw)
            path.chmod(0o600)
        self.stdout.write(raw)
