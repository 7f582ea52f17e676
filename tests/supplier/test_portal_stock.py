"""/portal/stock/: the editable stock and price table and the CSV upload, through the bulk services."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commerce.models import Product
from tests.factories import ProductFactory
from tests.helpers import queries_for
from webhooks.models import Event

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    client = portal_client()
    client.rose = ProductFactory(supplier=client.supplier, name="Red rose", sku="ROSE", stock_qty=10, price=250)
    client.lily = ProductFactory(supplier=client.supplier, name="White lily", sku="LILY", stock_qty=20, price=400)
    return client


def table_post(*rows) -> dict:
    """What the table posts: per row the product, its typed values and the values it was drawn with."""
    data = {"action": "table", "product": []}
    for product, stock, price in rows:
        data["product"].append(str(product.pk))
        data[f"initial-stock-{product.pk}"] = str(product.stock_qty)
        data[f"initial-price-{product.pk}"] = f"{product.price / 100:.2f}"
        data[f"stock-{product.pk}"] = stock
        data[f"price-{product.pk}"] = price
    return data


def csv_file(text: str, name: str = "stock.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def stock_and_price(product) -> tuple[int, int]:
    product.refresh_from_db()
    return product.stock_qty, product.price


# --- the table ------------------------------------------------------------------------------


def test_the_table_shows_each_product_with_its_stock_and_price_in_labelled_inputs(me):
    page = me.get("/portal/stock/").content.decode()
    assert f'<label class="visually-hidden" for="stock-{me.rose.pk}">Stock of Red rose</label>' in page
    assert f'name="stock-{me.rose.pk}" value="10"' in page
    assert f'name="price-{me.rose.pk}" value="2.50"' in page
    assert "At most 500 rows per file" in page


def test_saving_the_table_changes_stock_and_price_of_the_changed_rows_only(me):
    # given the API moved the lily's stock after the page was drawn
    data = table_post((me.rose, "7", "3.10"), (me.lily, "20", "4.00"))
    Product.objects.filter(pk=me.lily.pk).update(stock_qty=15)
    # when the supplier saves having changed only the rose
    response = me.post("/portal/stock/", data, follow=True)
    # then the rose changed, the lily kept the API's stock, and the page says so
    assert response.status_code == 200
    assert stock_and_price(me.rose) == (7, 310)
    assert stock_and_price(me.lily) == (15, 400)
    assert "Saved 1 product." in response.content.decode()


def test_a_row_with_a_bad_price_is_not_saved_and_says_why_beside_it_while_the_others_are(me):
    response = me.post("/portal/stock/", table_post((me.rose, "99", "2,75"), (me.lily, "5", "4.00")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "base_price: Must be a number of euros with at most 2 decimals, such as 2.5." in page
    assert f'name="price-{me.rose.pk}" value="2,75"' in page  # what was typed is kept
    assert stock_and_price(me.rose) == (10, 250)  # the whole row, stock included, is not saved
    assert stock_and_price(me.lily) == (5, 400)
    assert "1 row was not saved" in page


def test_a_refused_row_no_longer_in_the_table_is_named_above_it(me):
    # given the table drawn with the rose, which is then deleted (another tab, the API)
    data = {**table_post((me.rose, "7", "2.50"), (me.lily, "21", "4.00")), f"name-{me.rose.pk}": "Red rose"}
    Product.objects.filter(pk=me.rose.pk).update(deleted_at="2026-01-01T00:00:00Z")
    # when the supplier saves both rows
    page = me.post("/portal/stock/", data).content.decode()
    # then the lily is saved and the gone rose is named with why, though it has no row any more
    assert stock_and_price(me.lily) == (21, 400)
    assert "Not saved, and no longer in this table:" in page
    assert f"Red rose (id {me.rose.pk}): Product not found" in page
    assert f'id="row-{me.rose.pk}"' not in page


def test_a_negative_stock_is_refused_in_the_services_words(me):
    page = me.post("/portal/stock/", table_post((me.rose, "-3", "2.50"))).content.decode()
    assert "stock_qty: Must be a whole number from 0 to 2147483647." in page
    assert stock_and_price(me.rose) == (10, 250)


def test_saving_nothing_changed_writes_nothing(me):
    response = me.post("/portal/stock/", table_post((me.rose, "10", "2.50")), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert not Event.objects.filter(type="product.updated").exists()


def test_the_table_is_paginated_and_searchable(me):
    for n in range(30):
        ProductFactory(supplier=me.supplier, name=f"Tulip {n}", sku=f"TUL-{n}")
    first = me.get("/portal/stock/").content.decode()
    assert "Page 1 of 2" in first and "32 products" in first
    found = me.get("/portal/stock/?search=lily").content.decode()
    assert "White lily" in found and "Red rose" not in found


@pytest.mark.parametrize("search", ["\x00", "r" * 201])
def test_a_search_no_query_can_take_is_shown_beside_the_box_and_the_table_stays(me, search):
    response = me.get("/portal/stock/", {"search": search})
    assert response.status_code == 200
    assert "search" in response.context["filters"].errors
    assert 'id="id_search_error"' in response.content.decode()
    assert f'name="stock-{me.rose.pk}"' in response.content.decode()


def test_the_table_page_runs_the_same_number_of_queries_for_5_or_100_rows(me):
    for n in range(100):
        ProductFactory(supplier=me.supplier, sku=f"BULK-{n}")
    assert queries_for(me, "/portal/stock/?per_page=5") == queries_for(me, "/portal/stock/?per_page=100")


# --- the CSV upload -------------------------------------------------------------------------


def test_a_csv_with_one_bad_row_applies_the_others_and_reports_every_row(me):
    text = "sku,stock_qty,base_price\nROSE,40,2.75\nNOPE,1,1.00\nLILY,,3.50\n"
    response = me.post("/portal/stock/", {"action": "csv", "file": csv_file(text)})
    page = response.content.decode()
    assert response.status_code == 200
    assert stock_and_price(me.rose) == (40, 275)
    assert stock_and_price(me.lily) == (20, 350)  # an empty cell keeps the stock
    report = response.context["report"]
    assert [(r["line"], r["sku"], r["ok"], r["message"]) for r in report] == [
        (2, "ROSE", True, "Saved"), (3, "NOPE", False, "Product not found"), (4, "LILY", True, "Saved")]
    assert "Report: 3 rows, 1 not saved" in page
    assert "Saved 2 of 3 rows." in page


def test_a_csv_row_with_a_bad_value_keeps_its_other_value_too(me):
    me.post("/portal/stock/", {"action": "csv", "file": csv_file("sku,stock_qty,base_price\nROSE,40,-1\n")})
    assert stock_and_price(me.rose) == (10, 250)


def test_a_csv_naming_a_product_twice_points_at_the_first_line(me):
    response = me.post("/portal/stock/", {"action": "csv",
                                          "file": csv_file("sku,stock_qty,base_price\nROSE,1,\nROSE,2,\n")})
    assert [r["message"] for r in response.context["report"]] == ["Saved", "The same product as line 2."]


def test_the_csv_columns_may_come_in_any_order_and_a_bom_is_fine(me):
    me.post("/portal/stock/", {"action": "csv", "file": csv_file("\ufeffbase_price,SKU,stock_qty\n1.99,ROSE,3\n")})
    assert stock_and_price(me.rose) == (3, 199)


def test_a_row_with_the_wrong_number_of_cells_is_reported(me):
    response = me.post("/portal/stock/", {"action": "csv", "file": csv_file("sku,stock_qty,base_price\nROSE,1\n")})
    assert [(r["sku"], r["message"]) for r in response.context["report"]] == [
        ("ROSE", "Expected 3 values (sku,stock_qty,base_price).")]
    assert stock_and_price(me.rose) == (10, 250)


@pytest.mark.parametrize("text, encoding, error", [
    ("sku;stock_qty;base_price\nROSE;1;2\n", "utf-8", "The first line must be the header sku,stock_qty,base_price"),
    ("sku;stock_qty;base_price\nROSE;1;2\n", "utf-8", "Separate the values with commas: in Excel, save as"),
    ("sku\tstock_qty\tbase_price\nROSE\t1\t2\n", "utf-8", "Separate the values with commas"),
    ("ROSE,1,2.00\n", "utf-8", "The first line must be the header"),
    ("", "utf-8", "The file is empty"),
    ("sku,stock_qty,base_price\n", "utf-8", "The file has a header but no rows."),
    ("sku,stock_qty,base_price\nRÖSE,1,2\n", "utf-16", "The file is not UTF-8 text."),
    ("sku,stock_qty,base_price\nRÖSE,1,2\n", "latin-1", "The file is not UTF-8 text."),
])
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_clear_error(me, text, encoding, error):
    response = me.post("/portal/stock/", {"action": "csv", "file": csv_file(text, encoding=encoding)})
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert "The file was not applied: nothing was changed." in page
    assert stock_and_price(me.rose) == (10, 250)


def test_a_file_of_more_than_500_rows_is_refused_whole(me):
    rows = "".join(f"ROSE,{n},\n" for n in range(501))
    response = me.post("/portal/stock/", {"action": "csv", "file": csv_file("sku,stock_qty,base_price\n" + rows)})
    assert "more than 500 rows" in response.content.decode()
    assert stock_and_price(me.rose) == (10, 250)


def test_a_file_over_the_size_limit_is_refused_whole(me):
    big = "sku,stock_qty,base_price\n" + "ROSE,1," + "9" * 300_000 + "\n"
    response = me.post("/portal/stock/", {"action": "csv", "file": csv_file(big)})
    assert "The file is too large" in response.content.decode()
    assert stock_and_price(me.rose) == (10, 250)


# --- tenancy --------------------------------------------------------------------------------


def test_another_suppliers_products_are_not_in_my_table(me):
    theirs = ProductFactory(name="Their Secret Orchid", sku="ORCHID")
    page = me.get("/portal/stock/?search=orchid").content.decode()
    assert "Their Secret Orchid" not in page
    assert f"stock-{theirs.pk}" not in page


def test_posting_another_suppliers_product_id_in_the_table_changes_nothing(me):
    theirs = ProductFactory(sku="ORCHID", stock_qty=9, price=900)
    response = me.post("/portal/stock/", table_post((theirs, "0", "0.01"), (me.rose, "11", "2.50")))
    assert stock_and_price(theirs) == (9, 900)
    assert stock_and_price(me.rose) == (11, 250)
    assert "1 row was not saved" in response.content.decode()


def test_a_csv_naming_another_suppliers_sku_changes_nothing_of_theirs(me):
    theirs = ProductFactory(sku="ORCHID", stock_qty=9, price=900)
    ProductFactory(sku="ROSE", stock_qty=9, price=900)  # another supplier's product with my SKU
    response = me.post("/portal/stock/", {"action": "csv",
                                          "file": csv_file("sku,stock_qty,base_price\nORCHID,0,0.01\nROSE,1,\n")})
    assert [r["message"] for r in response.context["report"]] == ["Product not found", "Saved"]
    assert stock_and_price(theirs) == (9, 900)
    assert Product.objects.filter(sku="ROSE", stock_qty=9, price=900).exclude(supplier=me.supplier).exists()
    assert stock_and_price(me.rose) == (1, 250)


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/portal/stock/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
