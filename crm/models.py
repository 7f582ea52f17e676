"""Leads: contact form submissions and leads pushed in through the Staff API."""
from django.db import models
from django.utils import timezone

from verso.generations import TrackedQuerySet


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "New", "New"
        CONTACTED = "Contacted", "Contacted"
        QUALIFIED = "Qualified", "Qualified"
        WON = "Won", "Won"
        LOST = "Lost", "Lost"

    SOURCE_API = "api"
    SOURCE_WEBSITE = "website"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, db_index=True)
    phone = models.CharField(max_length=50)
    message = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    source = models.CharField(max_length=50, default=SOURCE_API, db_index=True)
    notes = models.TextField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    # A default rather than auto_now_add so imports and demo data can keep their real date.
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedQuerySet.as_manager()  # set-based writes bump the cache generation

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["-submitted_at", "-id"], name="lead_newest_first")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["New", "Contacted", "Qualified", "Won", "Lost"]),
                name="crm_lead_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
