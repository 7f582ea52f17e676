"""Demo data for scheduling: 3 estimators, 4 services and ~60 appointments over the coming weeks."""
import random
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from .models import Appointment, Estimator, Service
from .services import appointment_create

SERVICES = [("On-site estimate", 60), ("Event consultation", 90), ("Plant care visit", 45), ("Wedding planning", 120)]
ESTIMATORS = ["Anna de Vries", "Bram Jansen", "Carla Smit"]
CUSTOMERS = [("John", "Doe"), ("Jane", "Smith"), ("Emma", "Bakker"), ("Liam", "Visser"), ("Sophie", "Mulder"),
             ("Noah", "de Boer"), ("Julia", "Bos"), ("Finn", "Peters")]
COUNT = 60
DAY_START, DAY_END = 9, 17  # working hours, UTC


def seed(stdout) -> None:
    """Idempotent: does nothing when any scheduling data exists."""
    if Service.objects.exists() or Estimator.objects.exists() or Appointment.objects.exists():
        return
    rng = random.Random(6)
    services = [Service.objects.create(name=name, duration_minutes=minutes) for name, minutes in SERVICES]
    estimators = [Estimator.objects.create(name=name) for name in ESTIMATORS]

    # Walk the working days ahead; each estimator's next free minute only moves forward,
    # so the appointments never overlap.
    day = timezone.now().astimezone(UTC).date() + timedelta(days=1)
    made = 0
    while made < COUNT:
        if day.weekday() < 5:
            for estimator in estimators:
                cursor = datetime.combine(day, time(DAY_START), tzinfo=UTC)
                for _ in range(rng.randint(0, 2)):
                    service = rng.choice(services)
                    cursor += timedelta(minutes=rng.choice([0, 30, 60]))
                    if cursor + timedelta(minutes=service.duration_minutes) > datetime.combine(
                        day, time(DAY_END), tzinfo=UTC
                    ) or made >= COUNT:
                        break
                    first, last = rng.choice(CUSTOMERS)
                    appointment_create(
                        first_name=first, last_name=last, email=f"{first}.{last.replace(' ', '')}@example.com".lower(),
                        phone=f"+31 6 {rng.randint(10000000, 99999999)}", scheduled_time=cursor,
                        service_id=service.id, estimator_id=estimator.id,
                        status=rng.choice(["scheduled", "scheduled", "confirmed"]),
                        notes=rng.choice([None, None, "Gate code 1234", "Call before arriving"]),
                    )
                    cursor += timedelta(minutes=service.duration_minutes)
                    made += 1
        day += timedelta(days=1)
    stdout.write(f"Scheduling: {len(services)} services, {len(estimators)} estimators, {made} appointments")
