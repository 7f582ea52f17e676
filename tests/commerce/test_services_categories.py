"""Category rules: slugs that fit their column and stay unique, also under concurrent creates."""
import pytest

from commerce import services
from commerce.models import Category
from tests.factories import CategoryFactory
from tests.helpers import Rendezvous, run_at_once
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
def test_two_categories_created_at_once_with_the_same_name_get_distinct_slugs():
    # given two creates that both pick their slug before either inserts its row
    both_picked = Rendezvous()

    def create():
        with both_picked.taking_part(at='INSERT INTO "commerce_category"'):
            return services.category_create(name="Roses")

    # when (an exception in either thread fails the test)
    run_at_once(create, create)

    # then the unique index's loser took the next suffix instead of failing
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["roses", "roses-2"]


def test_an_unknown_category_field_is_a_422_naming_it(db):
    category = services.category_create(name="Roses")
    with pytest.raises(ValidationFailed) as refused:
        services.category_update(category=category, changes={"position": 3})
    assert (refused.value.status_code, refused.value.details) == (422, {"position": "Unknown field."})


# Where an update has read and checked what it will write: two updates wait there for each
# other, so that without locks both decide on the same old rows. With them, one waits on the
# other's lock instead and cannot get there first: the other goes on at once.
WRITING_THE_CATEGORY = 'UPDATE "commerce_category"'


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_patches_of_different_fields_at_once_both_stick():
    # given a category each door read before changing it, as the API's PATCH does
    category = CategoryFactory(name="Roses", is_active=True)
    both_checked = Rendezvous()

    def update(changes):
        def call():
            with both_checked.taking_part(at=WRITING_THE_CATEGORY):
                return services.category_update(category=Category.objects.get(pk=category.pk), changes=changes)

        return call

    # when one renames it while the other takes it off the shop
    run_at_once(update({"name": "Garden roses"}), update({"is_active": False}))

    # then neither change undid the other
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Garden roses", False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reparentings_at_once_never_make_a_loop():
    # given two top-level categories
    a, b = CategoryFactory(name="A"), CategoryFactory(name="B")
    both_checked = Rendezvous()

    def move(category, under):
        def call():
            try:
                with both_checked.taking_part(at=WRITING_THE_CATEGORY):
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
