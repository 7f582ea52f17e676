"""create_api_key --name NAME (--scopes a,b | --all-scopes) [--supplier SLUG]: prints the raw key last."""
from django.core.management.base import BaseCommand, CommandError

from supplier.models import Supplier
from verso.api import services
from verso.api.scopes import ALL_SCOPES
from verso.errors import DomainError


class Command(BaseCommand):
    help = "Create an API key and print the raw key (shown only this once) on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--scopes", default="", help="Comma-separated scopes, e.g. read:leads,write:leads")
        group.add_argument("--all-scopes", action="store_true")
        parser.add_argument("--supplier", help="Supplier slug: makes a Supplier API key (scopes are ignored)")
        parser.add_argument("--rate-limit", default="", help="Optional override, e.g. 500/m")

    def handle(self, *args, **options):
        supplier = None
        if options["supplier"]:
            supplier = Supplier.objects.filter(slug=options["supplier"]).first()
            if supplier is None:
                raise CommandError(f"No supplier with slug {options['supplier']!r}")
            scopes = []
        elif options["all_scopes"]:
            scopes = ALL_SCOPES
        else:
            scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
            if not scopes:
                raise CommandError("Give --scopes a,b or --all-scopes for a staff key.")
        try:
            api_key, raw = services.api_key_create(
                name=options["name"], scopes=scopes, supplier=supplier, rate_limit_override=options["rate_limit"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        kind = f"Supplier API key for {supplier.slug}" if supplier else f"Staff API key ({', '.join(api_key.scopes)})"
        self.stdout.write(f"Created {kind}, prefix {api_key.prefix}. Store it now; it is not shown again:")
        self.stdout.write(raw)
