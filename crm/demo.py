"""Demo data for crm: about a hundred leads over the last three months."""
import random
from datetime import timedelta

from django.utils import timezone

from .models import Lead
from .services import lead_create

FIRST_NAMES = ["Emma", "Liam", "Sophie", "Noah", "Mila", "Lucas", "Julia", "Daan", "Sara", "Finn",
               "Anna", "Sem", "Eva", "Milan", "Lotte", "Jesse", "Tess", "Bram", "Lisa", "Thijs"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos", "Peters"]
MESSAGES = [
    "Interested in weekly flower deliveries for our hotel lobby.",
    "Could you send a quote for 200 rose bunches for a wedding in June?",
    "Looking for enterprise pricing on floral supplies.",
    "Do you ship to Belgium and Germany?",
    "We are opening a new store and need a regular supplier.",
    "Please call me back about event decorations.",
    "Can we schedule an on-site estimate for our office plants?",
]
TAGS = ["enterprise", "urgent", "wedding", "event", "hotel", "retail", "wholesale", "priority", "follow-up"]
STATUSES = [("New", 40), ("Contacted", 25), ("Qualified", 15), ("Won", 10), ("Lost", 10)]
SOURCES = [("website", 60), ("api", 25), ("referral", 10), ("trade-show", 5)]
COUNT = 100


def _weighted(rng: random.Random, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed(stdout) -> None:
    """Idempotent: does nothing when leads already exist."""
    if Lead.objects.exists():
        return
    rng = random.Random(6)
    now = timezone.now().replace(microsecond=0)
    for n in range(COUNT):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        status = _weighted(rng, STATUSES)
        lead_create(
            first_name=first,
            last_name=last,
            email=f"{first}.{last.replace(' ', '')}{n}@example.com".lower(),
            phone=f"+31 6 {rng.randint(10000000, 99999999)}",
            message=rng.choice(MESSAGES),
            status=status,
            source=_weighted(rng, SOURCES),
            notes=None if status == "New" else rng.choice(["Called, left a voicemail.", "Sent a quote.", None]),
            tags=rng.sample(TAGS, k=rng.choice([0, 1, 1, 2, 3])),
            submitted_at=now - timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
        )
    stdout.write(f"Leads: {COUNT} demo leads")
