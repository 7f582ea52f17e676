"""Category rules: slugs that fit their column and stay unique, also under concurrent creates."""
import threading

import pytest

from commerce import services
from commerce.models import Category
from tests.factories import CategoryFactory
from tests.helpers import run_at_once
from verso.errors import Conflict, ValidationFailed


@pytest.mark.django_db
def test_a_second_category_with_a_column_long_name_gets_a_suffixed_slug_that_fits():
    first = services.category_create(name="x" * 200)
    second = services.category_create(name="x" * 200)
    third = services.category_create(name="x" * 200)
    assert first.slug == "x" * 200
    assert (second.slug, third.slug) == ("x" * 198 + "-2", "x" * 198 + "-3")


@pytest.mark.django_db
def test_a_category_slug_that_slugifies_to_nothing_is_made_from_the_name():
    assert services.category_create(name="Dried flowers", slug="---").slug == "dried-flowers"


@pytest.mark.django_db
def test_a_category_slug_someone_chose_and_that_is_taken_is_a_conflict():
    CategoryFactory(slug="roses")
    with pytest.raises(Conflict):
        services.category_create(name="Roses", slug="roses")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_categories_created_at_once_with_the_same_name_get_distinct_slugs(monkeypatch):
    # given two creates that both pick their slug before either has saved
    both_picked = threading.Barrier(2)
    picked = threading.local()
    real_unique_slug = services._unique_slug

    def pick_then_wait(*args, **kwargs):
        slug = real_unique_slug(*args, **kwargs)
        if not getattr(picked, "done", False):
            picked.done = True
            try:
                both_picked.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
        return slug

    monkeypatch.setattr(services, "_unique_slug", pick_then_wait)

    # when (an exception in either thread fails the test)
    run_at_once(*[lambda: services.category_create(name="Roses")] * 2)

    # then the unique index's loser took the next suffix instead of failing
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["roses", "roses-2"]


def test_an_unknown_category_field_is_a_422_naming_it(db):
    category = services.category_create(name="Roses")
    with pytest.raises(ValidationFailed) as refused:
        services.category_update(category=category, changes={"position": 3})
    assert (refused.value.status_code, refused.value.details) == (422, {"position": "Unknown field."})


def _pause_after_checks_until_both_checked(monkeypatch) -> None:
    """Each update, once it has read and checked what it will write, waits (a few seconds at
    most) for the other to get there too: without locks both decide on the same old rows."""
    both_checked = threading.Barrier(2)
    real_checks = services._category_checks

    def checks_then_wait(*args, **kwargs):
        values = real_checks(*args, **kwargs)
        try:
            both_checked.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the other update is waiting for our lock: it will check after we commit
        return values

    monkeypatch.setattr(services, "_category_checks", checks_then_wait)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_patches_of_different_fields_at_once_both_stick(monkeypatch):
    # given a category each door read before changing it, as the API's PATCH does
    category = CategoryFactory(name="Roses", is_active=True)
    _pause_after_checks_until_both_checked(monkeypatch)

    def update(changes):
        return lambda: services.category_update(category=Category.objects.get(pk=category.pk), changes=changes)

    # when one renames it while the other takes it off the shop
    run_at_once(update({"name": "Garden roses"}), update({"is_active": False}))

    # then neither change undid the other
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Garden roses", False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reparentings_at_once_never_make_a_loop(monkeypatch):
    # given two top-level categories
    a, b = CategoryFactory(name="A"), CategoryFactory(name="B")
    _pause_after_checks_until_both_checked(monkeypatch)

    def move(category, under):
        def call():
            try:
                services.category_update(category=category, changes={"parent_id": under.pk})
                return "moved"
            except ValidationFailed as refused:
                return refused.details

        return call

    # when A goes under B and B under A at the same moment
    outcomes = run_at_once(move(a, b), move(b, a))

    # then one move won and the other was refused as a loop
    assert sorted(map(str, outcomes)) == sorted(["moved", str({"parent_id": "A category cannot be its own ancestor."})])
    parents = dict(Category.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "parent_id"))
    assert None in parents.values()
