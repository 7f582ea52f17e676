"""generate_settlements --period YYYY-MM [--issue]: prints the number of statements made or updated last."""
from django.core.management.base import BaseCommand, CommandError

from settlement import services
from settlement.periods import parse_period
from verso.errors import DomainError


class Command(BaseCommand):
    help = (
        "Make (or bring up to date) each supplier's settlement statement for a calendar month (UTC); "
        "--issue issues them too. Prints the number of statements made or updated on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--issue", action="store_true", help="Issue the month's statements (final).")

    def handle(self, *args, **options):
        period = parse_period(options["period"])
        if period is None:
            raise CommandError(f"--period must be a month as YYYY-MM, not {options['period']!r}.")
        try:
            count = services.statements_generate(period=period, issue=options["issue"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        action = "made, updated or issued" if options["issue"] else "made or updated"
        self.stdout.write(f"Statements for {options['period'].strip()} {action}:")
        self.stdout.write(str(count))
