"""Services, estimators and appointments; an estimator never holds two overlapping bookings."""
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The longest appointment (and so the longest service) in minutes: one day.
MAX_DURATION_MINUTES = 24 * 60


class Service(models.Model):
    name = models.CharField(max_length=100)
    duration_minutes = models.PositiveIntegerField(
        default=60, help_text="Default length of an appointment, in minutes (at most a day).",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="scheduling_service_duration_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Estimator(models.Model):
    name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="estimators"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CONFIRMED = "confirmed", "Confirmed"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # Only a cancelled appointment frees its estimator's time. A no-show keeps blocking:
    # the time was really reserved (DESIGN: "non-cancelled appointments" never overlap),
    # and the estimator's history never shows two bookings at once.
    SLOT_FREEING_STATUSES = (Status.CANCELLED,)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=50)
    scheduled_time = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveIntegerField()
    # Derived from scheduled_time + duration_minutes on every save. Stored because the
    # PostgreSQL exclusion constraint needs an IMMUTABLE expression, and timestamptz +
    # interval is only STABLE.
    ends_at = models.DateTimeField(editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    estimator = models.ForeignKey(
        Estimator, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    notes = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_time", "id"]
        indexes = [
            models.Index(fields=["estimator", "scheduled_time"], name="sched_appt_estimator_time"),
            models.Index(fields=["scheduled_time", "id"], name="appointment_soonest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="scheduling_appointment_duration_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("scheduled_time")),
                name="scheduling_appointment_ends_after_start",
            ),
        ]
        # On PostgreSQL the exclusion constraint NO_OVERLAP_CONSTRAINT (see migration
        # 0002_no_overlapping_appointments) refuses two overlapping non-cancelled
        # appointments of one estimator. It is not declared here because SQLite cannot
        # hold it and Meta.constraints would make Django try; the migration creates it
        # only on PostgreSQL.

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} @ {self.scheduled_time:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.scheduled_time is not None and self.duration_minutes:
            self.ends_at = self.scheduled_time + timedelta(minutes=self.duration_minutes)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "ends_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "ends_at"]
        super().save(*args, **kwargs)


NO_OVERLAP_CONSTRAINT = "scheduling_appointment_no_overlap"
