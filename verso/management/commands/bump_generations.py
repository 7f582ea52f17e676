"""Mark every cached API page and key snapshot stale, in every process (after writing rows
with raw SQL or COPY, or after a Redis outage swallowed some invalidations)."""
from django.core.management.base import BaseCommand

from verso import generations
from verso.api import keys


class Command(BaseCommand):
    help = (
        "Mark every cached API list page and API key snapshot stale (run after changing rows outside the ORM: "
        "raw SQL, COPY; or once Redis is back after an outage)."
    )

    def handle(self, *args, **options):
        generations.bump_all()
        keys.invalidate_all()
        self.stdout.write(f"Bumped: {', '.join(sorted(generations.GROUPS))}, API keys")
