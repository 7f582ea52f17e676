"""Mark every cached API page stale, in every process (after writing rows with raw SQL or COPY)."""
from django.core.management.base import BaseCommand

from verso import generations


class Command(BaseCommand):
    help = "Mark every cached API list page stale (run after changing rows outside the ORM: raw SQL, COPY)."

    def handle(self, *args, **options):
        generations.bump_all()
        self.stdout.write(f"Bumped: {', '.join(sorted(generations.GROUPS))}")
