"""Requests per second of GET /api/v1/products: Verso against the raw psycopg + orjson baseline.

Needs PostgreSQL and Redis on loopback and `wrk` (apt-get install wrk). Both servers run
under gunicorn with the same workers; wrk drives each in turn from this machine.

    .venv/bin/python benchmarks/list_rps.py [--products 1000] [--duration 10] [--per-page 25]
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
DB = "verso_bench"


def sh(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs)


def prepare(env, products: int) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    sh(sys.executable, "manage.py", "migrate", "--noinput", "-v0", env=env)
    script = f"""
from commerce.models import Product
from verso.api.services import api_key_create
from verso.api.scopes import ALL_SCOPES
Product.objects.bulk_create(
    Product(name=f"Rose {{n}}", slug=f"rose-{{n}}", sku=f"R-{{n}}", price=250 + n, stock_qty=n % 50,
            description="A red rose", approval_status="approved")
    for n in range({products})
)
_, raw = api_key_create(name="bench", scopes=ALL_SCOPES, rate_limit_override="100000000/m")
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")  # statistics and visibility map, as autovacuum would have by now
print(raw)
"""
    return sh(sys.executable, "manage.py", "shell", "-c", script, env=env).stdout.strip().splitlines()[-1]


def serve(app: str, port: int, env, workers: int):
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.1)
            continue
        return proc
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, key: str, duration: int, connections: int) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-H", f"Authorization: Bearer {key}", url]
    subprocess.run(args[:4] + ["-d2s"] + args[5:], capture_output=True)  # warm up
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url} answered {non2xx.group(1)} errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--per-page", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "REDIS_URL": "redis://127.0.0.1:6379/14",
           "BENCH_DSN": f"{PG}/{DB}", "DEBUG": "false", "LOG_LEVEL": "WARNING", "SECRET_KEY": "benchmark-only",
           "VERSO_CACHE_PREFIX": "verso-bench"}
    key = prepare(env, args.products)
    path = f"/api/v1/products?per_page={args.per_page}"
    results = {}
    for name, app, port in (("baseline", "benchmarks.baseline_app:application", 8101), ("verso", "verso.wsgi", 8102)):
        proc = serve(app, port, env, args.workers)
        try:
            results[name] = wrk(f"http://127.0.0.1:{port}{path}", key, args.duration, args.connections)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    ratio = results["verso"] / results["baseline"]
    print(f"GET {path} ({args.products} products, {args.workers} workers, {args.connections} connections)")
    print(f"  baseline (psycopg + orjson): {results['baseline']:8.0f} req/s")
    print(f"  verso:                       {results['verso']:8.0f} req/s   ratio {ratio:.2f}x")


if __name__ == "__main__":
    main()
