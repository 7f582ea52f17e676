"""The OpenAPI document says what the API does (scripts/fuzz holds the running API to it)."""
import pytest
import yaml
from django.test import Client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _resolve(schema, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_every_request_body_refuses_unknown_fields_nested_ones_included(schema):
    bodies = [op["requestBody"]["content"]["application/json"]["schema"]
              for _, _, op in _operations(schema) if "requestBody" in op]
    assert bodies
    seen, todo = set(), list(bodies)
    while todo:
        component = _resolve(schema, todo.pop())
        if id(component) in seen:
            continue
        seen.add(id(component))
        assert component.get("additionalProperties") is False, component
        for prop in component.get("properties", {}).values():
            for candidate in (prop, prop.get("items", {})):
                ref = candidate.get("$ref", "")
                if ref and _resolve(schema, candidate).get("type") == "object":
                    todo.append(candidate)


def test_lists_are_documented_as_a_page_object_not_an_array(schema):
    lists = [(path, op) for path, method, op in _operations(schema)
             if method == "GET" and "{" not in path and not path.startswith("/api/v1/supplier/")]  # staff lists
    assert len(lists) == 7
    for path, op in lists:
        page = _resolve(schema, op["responses"]["200"]["content"]["application/json"]["schema"])
        assert page["type"] == "object" and set(page["properties"]) == {"data", "pagination"}, path
        assert page["properties"]["data"]["type"] == "array", path


@pytest.mark.parametrize("method, statuses", [
    ("GET", {"401", "403", "429"}),
    ("POST", {"400", "401", "403", "409", "413", "415", "422", "429"}),
    ("PATCH", {"400", "401", "403", "404", "413", "415", "422", "429"}),
    ("DELETE", {"401", "403", "404", "429"}),
])
def test_every_operation_documents_the_errors_the_platform_can_answer(schema, method, statuses):
    for path, op_method, op in _operations(schema):
        if op_method == method:
            assert statuses <= set(op["responses"]), (method, path, sorted(op["responses"]))


def test_a_patch_that_needs_a_field_keeps_it_required(schema):
    op = schema["paths"]["/api/v1/orders/{id}/groups/{group_id}"]["patch"]
    body = _resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["status"]


def test_ids_and_pages_are_documented_with_the_bounds_the_api_checks(schema):
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/products"]["get"]["parameters"]}
    assert params["category_id"] == {"type": "integer", "format": "int64", "minimum": 1,
                                     "maximum": 9223372036854775807}
    assert params["page"]["minimum"] == 1 and params["per_page"]["minimum"] == 1
    assert params["in_stock"] == {"type": "boolean"}


def test_an_order_update_documents_that_it_needs_a_field_to_change(schema):
    op = schema["paths"]["/api/v1/orders/{id}"]["patch"]
    body = _resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
    assert body["anyOf"] == [{"required": ["status"]}, {"required": ["tracking_number"]},
                             {"required": ["fulfillment_status"]}]


def test_text_and_slug_fields_document_what_they_refuse(schema):
    category = schema["components"]["schemas"]["CategoryInputRequest"]["properties"]
    assert category["name"]["pattern"] == r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # not blank, no NUL
    assert category["slug"]["oneOf"][0]["pattern"] == r"^[-a-zA-Z0-9_]+$"
    search = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/products"]["get"]["parameters"]}["search"]
    assert search == {"type": "string", "pattern": r"^[^\u0000]*$"}
