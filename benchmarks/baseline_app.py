"""The yardstick: a raw psycopg + orjson WSGI callable serving GET /api/v1/products.

It does the same work as Verso's endpoint — check the bearer key, read one page of
non-deleted products with the total, render the same fields as JSON — with nothing
in between. Run: gunicorn benchmarks.baseline_app:application
"""
import hashlib
import math
import os
from urllib.parse import parse_qs

import orjson
import psycopg
from psycopg.rows import dict_row

DSN = os.environ["BENCH_DSN"]
_conn = None


def _connection():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(DSN, autocommit=True, row_factory=dict_row)
    return _conn


PAGE_SQL = """
SELECT id, name, slug, description, price, compare_at_price, stock_qty AS inventory_count,
       is_digital, is_active, category_id, COUNT(*) OVER () AS total
FROM commerce_product WHERE deleted_at IS NULL
ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s
"""


def application(environ, start_response):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    conn = _connection()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id FROM api_apikey WHERE key_hash = %s AND revoked_at IS NULL",
            (hashlib.sha256(auth.removeprefix("Bearer ").encode()).hexdigest(),),
        )
        if cur.fetchone() is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"error":"Invalid API key.","code":"UNAUTHORIZED"}']
        query = parse_qs(environ.get("QUERY_STRING", ""))
        page = int(query.get("page", ["1"])[0])
        per_page = min(int(query.get("per_page", ["25"])[0]), 100)
        cur.execute(PAGE_SQL, (per_page, (page - 1) * per_page))
        rows = cur.fetchall()
    total = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        del row["total"]
    body = orjson.dumps({
        "data": rows,
        "pagination": {"page": page, "per_page": per_page, "total": total, "pages": math.ceil(total / per_page)},
    })
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
