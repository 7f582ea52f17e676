"""create_supplier --name NAME [--slug] [--email] [--verified] [--user U --password P]: prints the id last."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from supplier import services
from verso.errors import DomainError


class Command(BaseCommand):
    help = "Create a supplier (and optionally its portal login); prints the supplier's id on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--verified", action="store_true")
        parser.add_argument("--user", default="")
        parser.add_argument("--password", default="")

    def handle(self, *args, **options):
        if bool(options["user"]) != bool(options["password"]):
            raise CommandError("--user and --password go together.")
        try:
            with transaction.atomic():
                supplier = services.supplier_create(
                    name=options["name"], slug=options["slug"], email=options["email"], verified=options["verified"]
                )
                if options["user"]:
                    services.supplier_add_portal_user(
                        supplier=supplier,
                        username=options["user"],
                        password=options["password"],
                        email=options["email"],
                    )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created supplier {supplier.name} ({supplier.slug}).")
        self.stdout.write(str(supplier.pk))
