"""Every Staff API body is strict: an unknown field or a value of the wrong JSON type is a 422
naming it, and nothing changes (verso.api.fields.InputSerializer, one mechanism for all)."""
import pytest

from commerce.models import Category, Order
from crm.models import Lead
from scheduling.models import Appointment
from tests.factories import LeadFactory, ProductFactory
from tests.helpers import assert_staff_error
from webhooks.models import Event


def test_patching_a_product_with_the_supplier_apis_field_name_is_a_422_and_changes_nothing(make_staff_client):
    client = make_staff_client(scopes=["write:products"])
    product = ProductFactory(stock_qty=9)

    response = client.patch(f"/api/v1/products/{product.pk}", {"stock_qty": 5}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert body["details"] == {"stock_qty": "Unknown field."}
    product.refresh_from_db()
    assert product.stock_qty == 9
    assert not Event.objects.filter(type="product.updated").exists()


def test_creating_a_category_with_an_extra_field_is_a_422_and_creates_nothing(make_staff_client):
    client = make_staff_client(scopes=["write:products"])

    response = client.post("/api/v1/categories", {"name": "Roses", "colour": "red"}, format="json")

    assert assert_staff_error(response, 422, "VALIDATION_ERROR")["details"] == {"colour": "Unknown field."}
    assert not Category.objects.exists()


def test_an_unknown_field_inside_a_nested_object_is_named_with_its_path(make_staff_client):
    client = make_staff_client(scopes=["write:orders"])
    product = ProductFactory(stock_qty=3)
    body = {
        "email": "jane@example.com",
        "items": [{"product_id": product.pk, "quantity": 1, "price": 1}],
        "shipping_address": {"line1": "1 Main St", "city": "Delft", "postal_code": "2611", "country": "NL",
                             "floor": 3},
    }

    response = client.post("/api/v1/orders", body, format="json")

    details = assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]
    assert details == {"items.0.price": "Unknown field.", "shipping_address.floor": "Unknown field."}
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock_qty == 3


@pytest.mark.parametrize("field, value, message", [
    ("price", "1250", "Must be a whole number."),
    ("price", 12.5, "Must be a whole number."),
    ("price", True, "Must be a whole number."),
    ("is_active", 1, "Must be true or false."),
    ("is_active", "true", "Must be true or false."),
    ("name", 42, "Must be a string."),
    ("vat_rate", 21, "Must be a string."),
    ("vat_rate", "21.005", "A valid number is required."),
    ("vat_rate", "101", "A valid number is required."),
    ("category_id", "3", "Must be a whole number."),
])
def test_a_value_of_the_wrong_json_type_is_a_422_not_coerced(make_staff_client, field, value, message):
    client = make_staff_client(scopes=["write:products"])
    product = ProductFactory(name="Rose", price=250, is_active=True)

    response = client.patch(f"/api/v1/products/{product.pk}", {field: value}, format="json")

    assert assert_staff_error(response, 422, "VALIDATION_ERROR")["details"] == {field: message}
    product.refresh_from_db()
    assert (product.name, product.price, product.is_active) == ("Rose", 250, True)


def test_a_percentage_string_is_accepted_as_vat_rate(make_staff_client):
    client = make_staff_client(scopes=["write:products"])
    product = ProductFactory()

    assert client.patch(f"/api/v1/products/{product.pk}", {"vat_rate": "9.5"}, format="json").status_code == 200

    product.refresh_from_db()
    assert str(product.vat_rate) == "9.50"


def test_leads_and_appointments_use_the_same_mechanism(make_staff_client):
    client = make_staff_client(scopes=["write:leads", "write:appointments"])
    lead = LeadFactory(first_name="Ann")

    lead_response = client.patch(f"/api/v1/leads/{lead.pk}", {"first_name": 7, "nickname": "A"}, format="json")
    appointment_response = client.post("/api/v1/appointments", {"service_id": "1", "room": 4}, format="json")

    assert assert_staff_error(lead_response, 422, "VALIDATION_ERROR")["details"] == {
        "first_name": "Must be a string.", "nickname": "Unknown field.",
    }
    details = assert_staff_error(appointment_response, 422, "VALIDATION_ERROR")["details"]
    assert details["service_id"] == "Must be a whole number." and details["room"] == "Unknown field."
    lead.refresh_from_db()
    assert lead.first_name == "Ann"
    assert not Appointment.objects.exists() and Lead.objects.count() == 1


def test_every_input_serializer_is_strict(make_staff_client):
    """A new body cannot skip the mechanism: read_body refuses a serializer that is not an InputSerializer."""
    from rest_framework import serializers

    from verso.api.views import read_body

    class Loose(serializers.Serializer):
        name = serializers.CharField()

    with pytest.raises(TypeError):
        read_body(Loose, request=None)

