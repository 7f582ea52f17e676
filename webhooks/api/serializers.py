"""Shapes of the Webhooks API: input serializers check types only; rules live in webhooks.services."""
from rest_framework import serializers

from verso.api.fields import InputSerializer, NamedEnumField
from webhooks.models import Delivery, Event, Webhook

NAME_MAX = Webhook._meta.get_field("name").max_length
URL_MAX = Webhook._meta.get_field("url").max_length
SECRET_MAX = Webhook._meta.get_field("secret").max_length
URL_HELP = "http(s) URL; https unless the server runs in DEBUG or the host is an allowed private address."


class WebhookEventField(NamedEnumField):
    enum_name = "WebhookEventEnum"
    enum_choices = [(t, t) for t in Event.TYPES]


class DeliveryEventField(NamedEnumField):
    """What a delivery carries: a catalogue event, or the ``ping`` a test sends."""

    enum_name = "DeliveryEventEnum"
    enum_choices = [(t, t) for t in [*Event.TYPES, Event.PING]]


class DeliveryStatusField(NamedEnumField):
    enum_name = "DeliveryStatusEnum"
    enum_choices = Delivery.STATUS_CHOICES


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=WebhookEventField(), allow_empty=False, max_length=len(Event.TYPES),
        help_text="Event types to subscribe to (at least one, from the catalogue).", **kwargs,
    )


class WebhookInput(InputSerializer):
    name = serializers.CharField(max_length=NAME_MAX)
    url = serializers.CharField(max_length=URL_MAX, help_text=URL_HELP)
    events = _events_field()
    secret = serializers.CharField(
        required=False, max_length=SECRET_MAX,
        help_text='HMAC signing secret, "whsec_" followed by base64; generated when not given.',
    )
    is_active = serializers.BooleanField(required=False, help_text="Defaults to true.")


class WebhookUpdateInput(InputSerializer):
    """PATCH: any subset of these (the secret cannot be changed)."""

    name = serializers.CharField(max_length=NAME_MAX)
    url = serializers.CharField(max_length=URL_MAX, help_text=URL_HELP)
    events = _events_field()
    is_active = serializers.BooleanField(help_text="true re-enables an endpoint disabled after failures.")


class WebhookCreated(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()
    secret = serializers.CharField(help_text="The signing secret, shown here once and never again.")


class WebhookOutput(serializers.Serializer):
    """A webhook's representation (never its secret)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=WebhookEventField())
    is_active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True, help_text="Set when repeated failures disabled it.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DeliveryOutput(serializers.Serializer):
    """One event's delivery to one webhook."""

    id = serializers.IntegerField()
    event_id = serializers.UUIDField(help_text="Also the webhook-id header: the same on every attempt.")
    event_type = DeliveryEventField()
    status = DeliveryStatusField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
