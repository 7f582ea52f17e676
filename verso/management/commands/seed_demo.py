"""seed_demo: fill an empty database with demo data. Running it twice changes nothing."""
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app's demo module has seed(stdout) -> None and must be idempotent; order matters.
DEMO_MODULES = ["supplier.demo", "commerce.demo", "settlement.demo", "crm.demo", "scheduling.demo"]


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args, **options):
        for module_name in DEMO_MODULES:
            with transaction.atomic():
                import_module(module_name).seed(self.stdout)
        self.stdout.write("Demo data is in place.")
