"""Shapes of the Leads API: input serializers check types only; the rules live in crm.services."""
from rest_framework import serializers

from crm.models import Lead
from crm.services import MESSAGE_MAX_LENGTH
from verso.api.fields import NamedEnumField, RejectUnknownFields, StrictCharField


class LeadStatusField(NamedEnumField):
    enum_name = "LeadStatusEnum"
    enum_choices = Lead.Status.choices


class LeadCreateInput(RejectUnknownFields, serializers.Serializer):
    first_name = StrictCharField(max_length=100)
    last_name = StrictCharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = StrictCharField(max_length=50)
    message = StrictCharField(max_length=MESSAGE_MAX_LENGTH)
    status = LeadStatusField(required=False)
    source = StrictCharField(max_length=50, required=False)
    notes = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=10000)
    tags = serializers.ListField(child=StrictCharField(max_length=50), required=False, max_length=20)


class LeadUpdateInput(LeadCreateInput):
    """PATCH: any subset of the create fields (used with ``partial=True``)."""


class LeadOutput(serializers.Serializer):
    """The contract's lead representation (documentation only: lists render plain rows)."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    message = serializers.CharField()
    status = LeadStatusField()
    source = serializers.CharField()
    notes = serializers.CharField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField()
