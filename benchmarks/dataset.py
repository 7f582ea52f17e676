"""The benchmark's data, written with set-based SQL (``generate_series``) into a database
Verso's migrations just created: 100,000 products load in seconds, 1,000,000 in about a
minute on a small machine.

- 50 verified suppliers and 40 categories.
- Products 1…N, newest = highest id (``created_at`` one second apart); all approved and
  active, so every list shows them; every 20th soft-deleted. Supplier 1 (the S3 supplier)
  owns 2,000 of them, all live, spread evenly over the whole range as a supplier adding
  products over time would (every (N / 2,000)th product; every third of them has a primary
  image); the rest are spread over suppliers 2…50. Stock, prices, VAT rates,
  colours and optional fields vary so that every representation branch is exercised.
- 10,000 orders (``ORD-2025-…``), each with two supplier groups and one item per group.
- 5,000 leads.
"""
SUPPLIERS = 50
CATEGORIES = 40
S3_SUPPLIER = 1
S3_PRODUCTS = 2_000
ORDERS = 10_000
LEADS = 5_000
BASE = "TIMESTAMPTZ '2025-01-01 00:00:00+00'"

SUPPLIERS_SQL = f"""
INSERT INTO supplier_supplier (id, name, slug, contact_email, contact_phone, country, is_verified, verified_at,
                               created_at)
SELECT g, 'Grower ' || g, 'grower-' || g, 'sales@grower' || g || '.example', '+31 20 555 ' || g, 'Netherlands',
       true, {BASE}, {BASE}
FROM generate_series(1, {SUPPLIERS}) g
"""

CATEGORIES_SQL = f"""
INSERT INTO commerce_category (id, name, slug, type, is_active, created_at, updated_at, parent_id)
SELECT g, 'Category ' || g, 'category-' || g, CASE WHEN g % 8 = 0 THEN 'supply' ELSE 'flower' END, true,
       {BASE}, {BASE}, NULL
FROM generate_series(1, {CATEGORIES}) g
"""

def s3_step(products: int) -> int:
    """Supplier 1 owns product g when g % step == 1 (and none of them is soft-deleted)."""
    return products // S3_PRODUCTS


def products_sql(first: int, last: int, step: int) -> str:
    return f"""
INSERT INTO commerce_product (
    id, name, slug, sku, description, type, unit, price, compare_at_price, stock_qty, min_order_qty,
    low_stock_threshold, color, stem_length, country_of_origin, vat_rate, is_digital, is_active, approval_status,
    rejection_reason, deleted_at, created_at, updated_at, category_id, supplier_id)
SELECT g, (ARRAY['Rose', 'Tulip', 'Lily', 'Peony', 'Ribbon'])[1 + g % 5] || ' ' || g,
       'product-' || g, CASE WHEN g % 11 = 0 THEN '' ELSE 'SKU-' || g END,
       'Fresh from the grower, lot ' || g || '. Cut, graded and packed the morning it ships.',
       CASE WHEN g % 5 = 4 THEN 'supply' ELSE 'flower' END,
       (ARRAY['stem', 'bunch', 'box', 'pack', 'piece'])[1 + g % 5],
       50 + (g * 37) % 5000, CASE WHEN g % 3 = 0 THEN 100 + (g * 37) % 5000 END,
       (g * 13) % 500, 1, 10,
       (ARRAY['red', 'white', 'pink', 'yellow', ''])[1 + g % 5],
       CASE WHEN g % 2 = 0 THEN 40 + g % 41 END,
       CASE WHEN g % 4 = 0 THEN '' ELSE 'Netherlands' END,
       CASE WHEN g % 7 = 0 THEN 9.00 ELSE 21.00 END, false, true, 'approved', '',
       CASE WHEN g % 20 = 0 AND g % {step} <> 1 THEN {BASE} + interval '400 days' END,
       {BASE} + g * interval '1 second', {BASE} + g * interval '1 second' + interval '1 hour',
       1 + g % {CATEGORIES},
       CASE WHEN g % {step} = 1 THEN {S3_SUPPLIER} ELSE 2 + g % ({SUPPLIERS} - 1) END
FROM generate_series({first}, {last}) g
"""

IMAGES_SQL = f"""
INSERT INTO commerce_productimage (image, thumbnail, is_primary, position, source_url, created_at, product_id)
SELECT 'products/2025/01/p' || id || '.jpg', 'products/thumbs/2025/01/p' || id || '.jpg', true, 0, '',
       {BASE}, id
FROM commerce_product WHERE supplier_id = {S3_SUPPLIER} AND id % 3 = 0
"""

# Order o: item 1 is product p, item 2 product p + 1 (always another supplier: two neighbours
# are never both supplier 1's, and 2 + p % 49 differs from 2 + (p + 1) % 49), one group each.
def orders_sql(products: int) -> str:
    return f"""
INSERT INTO commerce_order (id, order_number, email, status, subtotal_amount, discount_amount, tax_amount,
                            shipping_amount, total_amount, currency, shipping_address, tracking_number,
                            fulfillment_status, created_at, updated_at)
SELECT o, 'ORD-2025-' || lpad(o::text, 6, '0'), 'buyer' || (o % 997) || '@shop.example',
       (ARRAY['pending', 'paid', 'processing', 'shipped', 'delivered'])[1 + o % 5], 2000, 0, 347, 0, 2000, 'eur',
       jsonb_build_object('line1', o || ' Canal Street', 'city', 'Amsterdam', 'postal_code', '1011 AB',
                          'country', 'NL'),
       '', 'unfulfilled', {BASE} + o * interval '1 minute', {BASE} + o * interval '1 minute'
FROM generate_series(1, {ORDERS}) o;

CREATE TEMP TABLE bench_lines AS
SELECT o, n, p.id AS product_id, p.supplier_id, p.name, p.sku, p.price, p.vat_rate, 2 * o - 2 + n AS line_id
FROM generate_series(1, {ORDERS}) o
CROSS JOIN generate_series(1, 2) n
JOIN commerce_product p ON p.id = 1 + (o * 7) % ({products} - 2) + n - 1;

INSERT INTO commerce_ordergroup (id, status, subtotal_amount, created_at, updated_at, order_id, supplier_id)
SELECT line_id, 'pending', price, {BASE} + o * interval '1 minute', {BASE} + o * interval '1 minute', o, supplier_id
FROM bench_lines;

INSERT INTO commerce_orderitem (id, product_name, sku, unit_price, quantity, vat_rate, tax_amount, group_id,
                                order_id, product_id)
SELECT line_id, name, sku, price, 1, vat_rate, round(price * vat_rate / (100 + vat_rate)), line_id, o, product_id
FROM bench_lines;

DROP TABLE bench_lines;
INSERT INTO commerce_ordernumbercounter (year, last_number) VALUES (2025, {ORDERS});
"""

LEADS_SQL = f"""
INSERT INTO crm_lead (id, first_name, last_name, email, phone, message, status, source, notes, tags,
                      submitted_at, updated_at)
SELECT g, 'Anna' || g, 'de Vries', 'lead' || g || '@florist.example', '+31 6 1234 ' || g,
       'We would like a weekly delivery of seasonal flowers for our shop.',
       (ARRAY['New', 'Contacted', 'Qualified', 'Won', 'Lost'])[1 + g % 5],
       CASE WHEN g % 2 = 0 THEN 'website' ELSE 'api' END,
       CASE WHEN g % 3 = 0 THEN 'Called back on Monday.' END,
       CASE WHEN g % 4 = 0 THEN '["wholesale", "weekly"]'::jsonb ELSE '[]'::jsonb END,
       {BASE} + g * interval '1 hour', {BASE} + g * interval '1 hour'
FROM generate_series(1, {LEADS}) g
"""

IDENTITIES = [
    "supplier_supplier", "commerce_category", "commerce_product", "commerce_productimage", "commerce_order",
    "commerce_ordergroup", "commerce_orderitem", "crm_lead",
]


def load(conn, products: int) -> None:
    """Fill an empty, migrated database (``conn`` in autocommit) with ``products`` products and the rest."""
    if products < 5 * S3_PRODUCTS:
        raise ValueError(f"at least {5 * S3_PRODUCTS} products")
    with conn.transaction():
        conn.execute(SUPPLIERS_SQL)
        conn.execute(CATEGORIES_SQL)
        conn.execute(products_sql(1, products, s3_step(products)))
        conn.execute(IMAGES_SQL)
        for statement in orders_sql(products).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(LEADS_SQL)
        for table in IDENTITIES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    # Statistics and the visibility map, as autovacuum would have made them on a live database.
    conn.execute("VACUUM ANALYZE")
