"""Time the admin home (work queues + numbers) with 100,000 products and 10,000 orders.

Creates a fresh PostgreSQL database (verso_bench_admin), migrates it, loads the rows with
set-based SQL (INSERT … SELECT generate_series), logs in and times GET /admin/ in-process
with Django's test client (middleware, queries and template rendering, no network): for a
superuser (every tile) and for a Support user (every tile, through a group's permissions).
Exits 1 when the median is over the budget (200 ms).

    .venv/bin/python benchmarks/admin_home.py [--products 100000] [--orders 10000] [--runs 30]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); drops and recreates its own database.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
DB = "verso_bench_admin"
BUDGET_MS = 200

SQL = """
INSERT INTO supplier_supplier (name, slug, contact_email, contact_phone, country, is_verified, verified_at, created_at)
SELECT 'Supplier ' || n, 'supplier-' || n, 'supplier' || n || '@example.com', '', 'Netherlands',
       n %% 10 <> 0, CASE WHEN n %% 10 <> 0 THEN now() END, now() - n * interval '1 day'
FROM generate_series(1, %(suppliers)s) AS n;

INSERT INTO commerce_product (supplier_id, category_id, name, slug, sku, description, type, unit, price,
    compare_at_price, stock_qty, min_order_qty, low_stock_threshold, color, stem_length, country_of_origin, vat_rate,
    is_digital, is_active, approval_status, rejection_reason, deleted_at, created_at, updated_at)
SELECT s.id, NULL, 'Rose ' || n, 'rose-' || n, 'R-' || n, 'A red rose', 'flower', 'stem', 100 + n %% 900,
       NULL, n %% 400, 1, 10, 'red', 60, 'Kenya', 9, false, n %% 50 <> 0,
       CASE WHEN n %% 20 = 0 THEN 'pending' WHEN n %% 33 = 0 THEN 'rejected' ELSE 'approved' END,
       '', CASE WHEN n %% 97 = 0 THEN now() END, now() - (n %% 700) * interval '1 hour', now()
FROM generate_series(1, %(products)s) AS n
JOIN supplier_supplier s ON s.slug = 'supplier-' || (1 + n %% %(suppliers)s);

INSERT INTO commerce_order (order_number, email, status, subtotal_amount, discount_amount, tax_amount,
    shipping_amount, total_amount, currency, shipping_address, tracking_number, fulfillment_status, created_at,
    updated_at)
SELECT 'ORD-BENCH-' || lpad(n::text, 6, '0'), 'buyer' || n %% 500 || '@example.com',
       (ARRAY['pending','paid','processing','shipped','delivered','completed','cancelled','refunded'])[1 + n %% 8],
       5000, 0, 413, 0, 5000, 'eur',
       '{"line1": "1 Canal Street", "city": "Amsterdam", "postal_code": "1012 AB", "country": "NL"}'::jsonb,
       '', 'unfulfilled', now() - (n %% 1440) * interval '1 hour', now()
FROM generate_series(1, %(orders)s) AS n;

INSERT INTO commerce_ordergroup (order_id, supplier_id, status, subtotal_amount, created_at, updated_at)
SELECT o.id, (SELECT min(id) FROM supplier_supplier) + o.id %% %(suppliers)s,
       CASE o.status WHEN 'pending' THEN 'pending' WHEN 'paid' THEN 'pending' WHEN 'processing' THEN 'processing'
            WHEN 'cancelled' THEN 'cancelled' WHEN 'refunded' THEN 'cancelled' ELSE 'shipped' END,
       5000, o.created_at, now()
FROM commerce_order o;

INSERT INTO commerce_orderitem (order_id, group_id, product_id, product_name, sku, unit_price, quantity, vat_rate,
    tax_amount)
SELECT g.order_id, g.id, (SELECT min(id) FROM commerce_product) + g.id %% %(products)s, 'Rose', 'R-1', 1000, 5, 9,
       413
FROM commerce_ordergroup g;

INSERT INTO webhooks_webhook (name, url, events, secret, is_active, consecutive_failures, disabled_at, created_at,
    updated_at)
SELECT 'Hook ' || n, 'https://hooks.example.com/' || n, '["order.created"]'::jsonb, 'whsec_x', n <> 3,
       CASE WHEN n = 3 THEN 20 ELSE 0 END, CASE WHEN n = 3 THEN now() END, now(), now()
FROM generate_series(1, 5) AS n;

INSERT INTO webhooks_event (id, type, data, created_at)
SELECT gen_random_uuid(), 'order.created', '{}'::jsonb, now() - n * interval '1 minute'
FROM generate_series(1, %(orders)s) AS n;

INSERT INTO webhooks_delivery (webhook_id, event_id, event_type, status, attempts, next_attempt_at,
    last_status_code, last_error, delivered_at, created_at, updated_at)
SELECT (SELECT min(id) FROM webhooks_webhook) + row_number() OVER () %% 5, e.id, e.type,
       CASE WHEN random() < 0.05 THEN 'failed' ELSE 'succeeded' END, 1, NULL, 200, '', now(), e.created_at,
       e.created_at
FROM webhooks_event e;

INSERT INTO crm_lead (first_name, last_name, email, phone, message, status, source, notes, tags, submitted_at,
    updated_at)
SELECT 'Lead', 'Number ' || n, 'lead' || n || '@example.com', '+31 20 000 0000', 'Hello', 'New', 'website', NULL,
       '[]'::jsonb, now() - (n %% 2000) * interval '1 hour', now()
FROM generate_series(1, %(leads)s) AS n;

INSERT INTO scheduling_service (name, duration_minutes, is_active) VALUES ('Consultation', 60, true);
INSERT INTO scheduling_appointment (first_name, last_name, email, phone, scheduled_time, duration_minutes, ends_at,
    status, service_id, estimator_id, notes, created_at, updated_at)
SELECT 'Client', 'Number ' || n, 'client' || n || '@example.com', '+31 20 000 0000',
       date_trunc('hour', now()) + (n - 2500) * interval '30 minutes', 30,
       date_trunc('hour', now()) + (n - 2500) * interval '30 minutes' + interval '30 minutes',
       'scheduled', (SELECT id FROM scheduling_service LIMIT 1), NULL, NULL, now(), now()
FROM generate_series(1, 5000) AS n;
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")

    os.environ.update({
        "DATABASE_URL": f"{PG}/{DB}", "SECRET_KEY": "benchmark-only", "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver", "VERSO_VAR_DIR": tempfile.mkdtemp(prefix="verso-bench-"),
        "DJANGO_SETTINGS_MODULE": "verso.settings",
    })
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"suppliers": 200, "products": args.products, "orders": args.orders, "leads": 20_000})
        cursor.execute("VACUUM ANALYZE")  # statistics and visibility map, as autovacuum would have by now
    print(f"Loaded {args.products:,} products and {args.orders:,} orders in {time.perf_counter() - started:.1f} s")

    boss = User.objects.create_superuser("boss", "boss@example.com", "x")
    support = User.objects.create_user("support", "support@example.com", "x", is_staff=True)
    support.groups.add(Group.objects.get(name="Support"))

    failed = False
    for user in (boss, support):
        client = Client()
        client.force_login(user)
        for _ in range(3):  # warm up: templates compiled, connection open
            assert client.get("/admin/").status_code == 200
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get("/admin/")
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get("/admin/")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        median = statistics.median(timings)
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        print(f"GET /admin/ as {user.username}: median {median:.1f} ms, p95 {p95:.1f} ms, "
              f"{len(queries)} queries (budget {BUDGET_MS} ms)")
        failed |= median > BUDGET_MS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
