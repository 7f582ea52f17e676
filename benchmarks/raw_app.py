"""The yardsticks: plain WSGI callables (psycopg + orjson, no framework) answering what Verso
answers, with the least work an honest hand-written service would do.

- ``GET /api/v1/products`` (staff) and ``GET /api/v1/supplier/products`` (supplier): hash
  the bearer key and look it up (revoked, expired, scope / verified supplier checked), then
  ONE statement for the page with the total as a scalar sub-select (PostgreSQL runs it once,
  as an InitPlan; a ``COUNT(*) OVER ()`` window would sort every row), the representation
  built in Python and rendered by orjson. Same fields, formatting and envelope as Verso.
- ``GET /api/v1/leads``: the floor. It only hashes and looks up the key, checks it, and
  returns the same body as Verso; the body is read from the database once per worker and
  query string, then reused.

No rate limiting, no request parsing beyond ``page``/``per_page``: that is the point of a
floor. Run: ``gunicorn benchmarks.raw_app:application`` with ``BENCH_DSN`` set.
"""
import hashlib
import math
import os
from urllib.parse import parse_qs

import orjson
import psycopg

DSN = os.environ["BENCH_DSN"]
MEDIA_URL = os.environ.get("BENCH_MEDIA_URL", "/media/")
MAX_PER_PAGE = 100
# Datetimes as Verso writes them: UTC, whole seconds, "Z".
OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS

_conn = None


def _connection():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(DSN, autocommit=True, options="-c TimeZone=UTC")
    return _conn


KEY_SQL = """
SELECT k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()), k.scopes, k.supplier_id,
       s.is_verified
FROM api_apikey k LEFT JOIN supplier_supplier s ON s.id = k.supplier_id
WHERE k.key_hash = %s
"""

STAFF_PRODUCTS_SQL = """
SELECT id, name, slug, description, price, compare_at_price, stock_qty, is_digital, is_active, category_id, sku,
       supplier_id, approval_status, rejection_reason, low_stock_threshold, type, unit, min_order_qty, vat_rate,
       color, stem_length, country_of_origin, created_at, updated_at,
       (SELECT COUNT(*) FROM commerce_product WHERE deleted_at IS NULL)
FROM commerce_product WHERE deleted_at IS NULL
ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s
"""

SUPPLIER_PRODUCTS_SQL = """
SELECT p.id, p.name, p.sku, p.type, p.price, p.unit, p.stock_qty, p.low_stock_threshold, p.is_active,
       p.approval_status, p.category_id, c.name,
       (SELECT i.image FROM commerce_productimage i WHERE i.product_id = p.id AND i.is_primary LIMIT 1),
       (SELECT COUNT(*) FROM commerce_product WHERE supplier_id = %(s)s AND deleted_at IS NULL)
FROM commerce_product p LEFT JOIN commerce_category c ON c.id = p.category_id
WHERE p.supplier_id = %(s)s AND p.deleted_at IS NULL
ORDER BY p.created_at DESC, p.id DESC LIMIT %(limit)s OFFSET %(offset)s
"""

LEADS_SQL = """
SELECT id, first_name, last_name, email, phone, message, status, source, notes, tags, submitted_at,
       (SELECT COUNT(*) FROM crm_lead)
FROM crm_lead ORDER BY submitted_at DESC, id DESC LIMIT %s OFFSET %s
"""
LEAD_FIELDS = ("id", "first_name", "last_name", "email", "phone", "message", "status", "source", "notes", "tags",
               "submitted_at")


def _stock_status(stock: int, threshold: int) -> str:
    if stock <= 0:
        return "out_of_stock"
    return "low_stock" if stock <= threshold else "in_stock"


def _answer(start_response, status: str, payload) -> list[bytes]:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload, option=OPTIONS)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _key(cur, environ):
    """(active, scopes, supplier_id, supplier verified) of the bearer key, or None."""
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    cur.execute(KEY_SQL, (hashlib.sha256(token.encode()).hexdigest(),))
    return cur.fetchone()


def _page(environ, default_per_page: int) -> tuple[int, int]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    page = max(int(query.get("page", ["1"])[0]), 1)
    per_page = min(max(int(query.get("per_page", [str(default_per_page)])[0]), 1), MAX_PER_PAGE)
    return page, per_page


def staff_products(cur, environ, start_response):
    key = _key(cur, environ)
    if key is None or not key[0] or key[2] is not None or "read:products" not in key[1]:
        return _answer(start_response, "401 Unauthorized", {"error": "Invalid API key.", "code": "UNAUTHORIZED"})
    page, per_page = _page(environ, 25)
    cur.execute(STAFF_PRODUCTS_SQL, (per_page, (page - 1) * per_page))
    rows = cur.fetchall()
    if rows:
        total = rows[0][24]
    else:
        cur.execute("SELECT COUNT(*) FROM commerce_product WHERE deleted_at IS NULL")
        total = cur.fetchone()[0] if page > 1 else 0
    data = [
        {
            "id": r[0], "name": r[1], "slug": r[2], "description": r[3], "price": r[4], "compare_at_price": r[5],
            "inventory_count": r[6], "is_digital": r[7], "is_active": r[8], "category_id": r[9],
            "sku": r[10] or None, "supplier_id": r[11], "approval_status": r[12], "rejection_reason": r[13] or None,
            "stock_status": _stock_status(r[6], r[14]), "low_stock_threshold": r[14], "type": r[15], "unit": r[16],
            "min_order_qty": r[17], "vat_rate": f"{r[18]:.2f}", "color": r[19] or None, "stem_length": r[20],
            "country_of_origin": r[21] or None, "created_at": r[22], "updated_at": r[23],
        }
        for r in rows
    ]
    pages = math.ceil(total / per_page) if total else 0
    return _answer(start_response, "200 OK", {
        "data": data, "pagination": {"page": page, "per_page": per_page, "total": total, "pages": pages},
    })


def supplier_products(cur, environ, start_response):
    key = _key(cur, environ)
    if key is None or not key[0] or key[2] is None or not key[3]:
        return _answer(start_response, "403 Forbidden", {"success": False, "error": "Forbidden"})
    supplier_id = key[2]
    page, per_page = _page(environ, 20)
    cur.execute(SUPPLIER_PRODUCTS_SQL, {"s": supplier_id, "limit": per_page, "offset": (page - 1) * per_page})
    rows = cur.fetchall()
    if rows:
        total = rows[0][13]
    else:
        cur.execute("SELECT COUNT(*) FROM commerce_product WHERE supplier_id = %s AND deleted_at IS NULL",
                    (supplier_id,))
        total = cur.fetchone()[0] if page > 1 else 0
    data = [
        {
            "id": r[0], "name": r[1], "sku": r[2] or None, "type": r[3], "base_price": r[4] / 100, "unit": r[5],
            "stock_qty": r[6], "stock_status": _stock_status(r[6], r[7]), "is_active": r[8],
            "is_approved": r[9] == "approved",
            "category": None if r[10] is None else {"id": r[10], "name": r[11]},
            "primary_image": MEDIA_URL + r[12] if r[12] else None,
        }
        for r in rows
    ]
    pages = math.ceil(total / per_page) if total else 0
    return _answer(start_response, "200 OK", {"success": True, "data": {
        "products": data,
        "pagination": {"current_page": page, "total_pages": pages, "total_items": total, "per_page": per_page},
    }})


_lead_bodies: dict[str, bytes] = {}


def leads_authenticate_only(cur, environ, start_response):
    key = _key(cur, environ)
    if key is None or not key[0] or key[2] is not None or "read:leads" not in key[1]:
        return _answer(start_response, "401 Unauthorized", {"error": "Invalid API key.", "code": "UNAUTHORIZED"})
    query = environ.get("QUERY_STRING", "")
    body = _lead_bodies.get(query)
    if body is None:  # once per worker and query string: the floor measures authentication only
        page, per_page = _page(environ, 25)
        cur.execute(LEADS_SQL, (per_page, (page - 1) * per_page))
        rows = cur.fetchall()
        total = rows[0][11] if rows else 0
        body = _lead_bodies[query] = orjson.dumps({
            "data": [dict(zip(LEAD_FIELDS, row[:11], strict=True)) for row in rows],
            "pagination": {"page": page, "per_page": per_page, "total": total,
                           "pages": math.ceil(total / per_page) if total else 0},
        }, option=OPTIONS)
    return _answer(start_response, "200 OK", body)


ROUTES = {
    "/api/v1/products": staff_products,
    "/api/v1/supplier/products": supplier_products,
    "/api/v1/leads": leads_authenticate_only,
}


def application(environ, start_response):
    handler = ROUTES.get(environ.get("PATH_INFO", ""))
    if handler is None:
        return _answer(start_response, "404 Not Found", {"error": "Not found", "code": "NOT_FOUND"})
    with _connection().cursor() as cur:
        return handler(cur, environ, start_response)
