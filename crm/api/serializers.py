"""Shapes of the Leads API: input serializers check types only; the rules live in crm.services."""
from rest_framework import serializers

from crm.models import Lead
from crm.services import MAX_TAG_LENGTH, MAX_TAGS, MESSAGE_MAX_LENGTH, NOTES_MAX_LENGTH
from verso.api.fields import InputSerializer, NamedEnumField


class LeadStatusField(NamedEnumField):
    enum_name = "LeadStatusEnum"
    enum_choices = Lead.Status.choices


class LeadCreateInput(InputSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=50)
    message = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)
    status = LeadStatusField(required=False)
    source = serializers.CharField(max_length=50, required=False)
    notes = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=NOTES_MAX_LENGTH)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TAG_LENGTH), required=False, max_length=MAX_TAGS
    )


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
