"""Verso against fair raw baselines, side by side, in interleaved rounds (see benchmarks/README.md).

    .venv/bin/python benchmarks/run.py            # the full run (about 10 minutes)
    .venv/bin/python benchmarks/run.py --quick    # CI: 10,000 products, 2 s runs (about a minute)

Needs PostgreSQL and Redis on loopback (DATABASE_ADMIN_URL / REDIS_URL override) and wrk.
Creates its own databases (dropped at the end), its own Redis key prefix (deleted at the
end), starts every server it measures and stops it, also on Ctrl-C or an error.
Exits non-zero only when the harness cannot measure: a server that does not start, bodies
that differ, a status nobody expected. Slow ratios are results, not failures.
"""
import argparse
import contextlib
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))
import dataset  # noqa: E402

ADMIN_URL = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WRK = os.environ.get("WRK", "/usr/bin/wrk")
WRK_SCRIPT = BENCH / "wrk.lua"


class HarnessError(Exception):
    """The harness cannot measure (not a slow result): the run fails."""


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- databases -------------------------------------------------------------------------------


class Databases:
    """Fresh databases with unique names; every one of them is dropped at the end."""

    def __init__(self, run_id: str):
        self.run_id = run_id
        self.names: list[str] = []

    def url(self, name: str) -> str:
        return f"{ADMIN_URL}/{name}"

    def create(self, label: str, template: str | None = None) -> str:
        name = f"verso_bench_{self.run_id}_{label}".replace("-", "_")
        with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.names.append(name)
        return name

    def drop_all(self) -> None:
        for name in reversed(self.names):
            try:
                with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error as exc:
                print(f"could not drop database {name}: {exc}", file=sys.stderr)
        self.names.clear()


def clean_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    # Django's cache keys start with the prefix; Celery's queue and kombu's binding contain it.
    batch = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    for start in range(0, len(batch), 500):
        client.delete(*batch[start:start + 500])


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn (sync workers) in its own process group, stopped whatever happens."""

    def __init__(self, name: str, app: str, env: dict, workers: int, log_dir: Path):
        self.name, self.app, self.env, self.workers = name, app, env, workers
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        with self.log_path.open("ab") as log_file:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", self.app, "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(self.workers), "--worker-class", "sync", "--log-level", "warning"],
                cwd=ROOT, env=self.env, start_new_session=True, stdout=log_file, stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited at start:\n{self.log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.base}/api/v1/__ping__", timeout=2)
            except urllib.error.HTTPError:
                return  # it answers (a 404 is an answer)
            except OSError:
                time.sleep(0.2)
                continue
            return
        raise HarnessError(f"{self.name} did not answer within 30 s:\n{self.log_path.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
                if match:
                    sizes.append(round(int(match.group(1)) / 1024, 1))
        return sizes

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


# --- one tier: a loaded database with Verso and the raw baseline beside it ---------------------


class Tier:
    def __init__(self, *, products: int, db_name: str, dbs: Databases, run_id: str, workers: int, var_dir: Path,
                 log_dir: Path):
        self.products = products
        self.db_url = dbs.url(db_name)
        self.run_id, self.workers, self.var_dir, self.log_dir = run_id, workers, var_dir, log_dir
        self.cache_prefix = f"verso-bench-{run_id}-{products}"
        self.keys: dict = {}
        self.live = 0
        self.counted: dict[str, dict] = {}  # path -> queries cold / warm, once per tier
        self.verso: Server | None = None
        self.raw: Server | None = None

    def verso_env(self, cache_prefix: str | None = None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VERSO_", "CELERY_"))}
        prefix = cache_prefix or self.cache_prefix
        env.update({
            "DATABASE_URL": self.db_url, "REDIS_URL": REDIS_URL, "DEBUG": "false",
            "SECRET_KEY": f"benchmark-only-{self.run_id}", "VERSO_CACHE_PREFIX": prefix,
            "CELERY_TASK_DEFAULT_QUEUE": prefix, "LOG_LEVEL": "WARNING", "VERSO_VAR_DIR": str(self.var_dir),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "PYTHONDONTWRITEBYTECODE": "1",
        })
        return env

    def prepare(self) -> None:
        """Load the rows into this tier's database (a copy of the migrated template) and make the keys."""
        started = time.monotonic()
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            dataset.load(conn, self.products)
            self.live = conn.execute("SELECT count(*) FROM commerce_product WHERE deleted_at IS NULL").fetchone()[0]
        self.keys = json.loads(django_side("keys", str(dataset.S3_SUPPLIER), env=self.verso_env()))
        log(f"{self.products:,} products loaded in {time.monotonic() - started:.1f} s")

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        self.verso = Server(f"verso-{self.products}", "verso.wsgi", self.verso_env(), self.workers, self.log_dir)
        raw_env = {**self.verso_env(), "BENCH_DSN": self.db_url, "BENCH_MEDIA_URL": self.keys["media_url"]}
        self.raw = Server(f"raw-{self.products}", "benchmarks.raw_app:application", raw_env, self.workers,
                          self.log_dir)
        self.verso.launch()
        self.raw.launch()

    def wait_ready(self) -> None:
        self.verso.wait_ready()
        self.raw.wait_ready()

    def stop(self) -> None:
        for server in (self.verso, self.raw):
            if server is not None:
                server.stop()

    @property
    def pages(self) -> int:
        return -(-self.live // 100)


def django_side(*args: str, env: dict, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, str(BENCH / "django_side.py"), *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise HarnessError(f"django_side {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


# --- requests --------------------------------------------------------------------------------


def fetch_json(url: str, key: str) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:500]


def first_difference(a, b, path="$") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def check_same_body(tier: Tier, path: str, key: str) -> None:
    """Before any load: Verso and the raw baseline answer this request with the same JSON."""
    verso_status, verso_body = fetch_json(tier.verso.base + path, key)
    raw_status, raw_body = fetch_json(tier.raw.base + path, key)
    if verso_status != 200 or raw_status != 200:
        raise HarnessError(f"{path}: Verso answered {verso_status}, raw {raw_status}: {verso_body!r} {raw_body!r}")
    difference = first_difference(verso_body, raw_body)
    if difference:
        raise HarnessError(f"{path}: Verso and the raw baseline answer different bodies (Verso, raw): {difference}")
    items = verso_body["data"] if "pagination" in verso_body else verso_body["data"]["products"]
    if not items:
        raise HarnessError(f"{path}: the page is empty; the check would prove nothing")


def count_queries(tier: Tier, method: str, path: str, key: str, body: str | None = None,
                  expect=(200,)) -> dict:
    """SQL statements of this request in a fresh Verso process with an empty cache prefix:
    the first time (cold) and the third (warm)."""
    prefix = f"{tier.cache_prefix}-count-{random.randrange(1 << 30)}"
    request = json.dumps({"method": method, "path": path, "key": key, "body": body})
    counted = json.loads(django_side("count", env=tier.verso_env(prefix), stdin=request))
    if any(status not in expect for status in counted["statuses"]):
        raise HarnessError(f"{method} {path} answered {counted['statuses']} while counting queries")
    return {"cold": counted["cold"], "warm": counted["warm"]}


def wrk(url: str, key: str, *, seconds: float, connections: int, threads: int, method: str = "GET",
        bodies: Path | None = None) -> dict:
    env = {**os.environ, "BENCH_AUTH": f"Bearer {key}", "BENCH_METHOD": method,
           "BENCH_BODIES": str(bodies) if bodies else ""}
    args = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
            "-s", str(WRK_SCRIPT), url]
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    match = re.search(r"^BENCH_RESULT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise HarnessError(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    return result


# --- measuring -------------------------------------------------------------------------------


class Bench:
    def __init__(self, args, run_id: str, tmp: Path):
        self.args, self.run_id, self.tmp = args, run_id, tmp
        self.problems: list[str] = []

    def run(self, label: str, url: str, key: str, *, expect=(200,), **kwargs) -> dict:
        kwargs.setdefault("connections", self.args.connections)
        kwargs.setdefault("threads", self.args.threads)
        result = wrk(url, key, seconds=self.args.duration, **kwargs)
        unexpected = {s: n for s, n in result["statuses"].items() if int(s) not in expect}
        if unexpected or result["socket_errors"] or not result["requests"]:
            self.problems.append(f"{label}: unexpected answers {unexpected}, socket errors "
                                 f"{result['socket_errors']}, {result['requests']} requests")
        log(f"  {label:<28} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:8.1f} ms  "
            f"p99 {result['p99_ms']:8.1f} ms  {result['statuses']}")
        return result

    def warm(self, url: str, key: str, **kwargs) -> None:
        kwargs.setdefault("connections", self.args.connections)
        kwargs.setdefault("threads", self.args.threads)
        wrk(url, key, seconds=self.args.warmup, **kwargs)

    def interleaved(self, sides: dict[str, tuple[str, str, dict]]) -> dict[str, list[dict]]:
        """Warm every side up, then ``rounds`` rounds running each side in turn."""
        for url, key, kwargs in sides.values():
            self.warm(url, key, **kwargs)
        results: dict[str, list[dict]] = {name: [] for name in sides}
        for number in range(1, self.args.rounds + 1):
            log(f" round {number}/{self.args.rounds}")
            for name, (url, key, kwargs) in sides.items():
                results[name].append(self.run(name, url, key, **kwargs))
        return results


def side_summary(rounds: list[dict]) -> dict:
    return {
        "rps": round(statistics.median(r["rps"] for r in rounds), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 1),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in rounds), 1),
        "rounds": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()} for r in rounds],
    }


def ratio_entry(a: list[dict], b: list[dict], value) -> dict:
    ratios = [round(value(x, y), 3) for x, y in zip(a, b, strict=True)]
    return {"ratios": ratios, "ratio_median": round(statistics.median(ratios), 3)}


def main_tier_scenarios(bench: Bench, tier: Tier) -> dict:
    staff, supplier = tier.keys["staff"], tier.keys["supplier"]
    deep_page = min(900, tier.pages)
    reads = {
        "S1": ("Staff products, page 1", "/api/v1/products?per_page=100", staff),
        "S2": (f"Staff products, page {deep_page}", f"/api/v1/products?per_page=100&page={deep_page}", staff),
        "S3": ("Supplier products (2,000-product supplier)", "/api/v1/supplier/products?per_page=100", supplier),
        "S6": ("Leads, per_page=1, against authenticate-only", "/api/v1/leads?per_page=1", staff),
    }
    log("Checking that Verso and the raw baselines answer the same bodies")
    for _, path, key in reads.values():
        check_same_body(tier, path, key)
    # One fresh process per request (cold means cold); they start side by side.
    with ThreadPoolExecutor(max_workers=len(reads)) as pool:
        counts = dict(zip(reads, pool.map(lambda read: count_queries(tier, "GET", read[1], read[2]),
                                          reads.values()), strict=True))
    tier.counted[reads["S1"][1]] = counts["S1"]
    scenarios = {}
    for name, (title, path, key) in reads.items():
        counted = counts[name]
        log(f"{name} {title}: GET {path} — Verso queries cold {counted['cold']}, warm {counted['warm']}")
        results = bench.interleaved({
            "verso": (tier.verso.base + path, key, {}),
            "raw": (tier.raw.base + path, key, {}),
        })
        scenarios[name] = {
            "title": title, "request": f"GET {path}", "products": tier.products,
            "ratio_is": "Verso req/s ÷ raw req/s, per round",
            **ratio_entry(results["verso"], results["raw"], lambda v, r: v["rps"] / r["rps"]),
            "queries_cold": counted["cold"], "queries_warm": counted["warm"],
            "verso": side_summary(results["verso"]), "baseline": side_summary(results["raw"]),
            "baseline_is": "raw_app.py" + (" (authenticate only)" if name == "S6" else ""),
        }
    scenarios["S4"] = bulk_stock(bench, tier)
    scenarios["S5"] = orders(bench, tier)
    return dict(sorted(scenarios.items()))


def bulk_stock(bench: Bench, tier: Tier) -> dict:
    supplier = tier.keys["supplier"]
    with psycopg.connect(tier.db_url) as conn:
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM commerce_product WHERE supplier_id = %s AND deleted_at IS NULL ORDER BY id LIMIT 500",
            (dataset.S3_SUPPLIER,))]
    files, counted = {}, {}
    for size in (5, 500):
        body = json.dumps({"items": [{"product_id": pid, "stock_qty": 400 + i % 100} for i, pid in
                                     enumerate(ids[:size])]})
        files[size] = bench.tmp / f"stock-{size}.jsonl"
        files[size].write_text(body + "\n")
        counted[size] = count_queries(tier, "POST", "/api/v1/supplier/stock", supplier, body)
    log(f"S4 bulk stock: Verso queries 5 items cold {counted[5]['cold']} warm {counted[5]['warm']}; "
        f"500 items cold {counted[500]['cold']} warm {counted[500]['warm']}")
    url = tier.verso.base + "/api/v1/supplier/stock"
    one = {"method": "POST", "connections": 1, "threads": 1}
    results = bench.interleaved({
        "verso 500 items": (url, supplier, {**one, "bodies": files[500]}),
        "verso 5 items": (url, supplier, {**one, "bodies": files[5]}),
    })
    big, small = results["verso 500 items"], results["verso 5 items"]
    return {
        "title": "Supplier bulk stock, 500 items against 5 items (one client)",
        "request": "POST /api/v1/supplier/stock", "products": tier.products,
        "ratio_is": "mean time of a 500-item request ÷ mean time of a 5-item request, per round (one connection)",
        **ratio_entry(big, small, lambda b, s: s["rps"] / b["rps"]),
        "queries_cold": counted[500]["cold"], "queries_warm": counted[500]["warm"],
        "queries_5_items": counted[5], "queries_500_items": counted[500],
        "verso": side_summary(big), "baseline": side_summary(small), "baseline_is": "Verso, 5 items",
    }


def orders(bench: Bench, tier: Tier) -> dict:
    """S5: 16 clients placing 2-item orders over a small pool of hot products; afterwards the
    stock must add up exactly (start − what the placed orders took), none negative."""
    staff = tier.keys["staff"]
    rng = random.Random(17)
    firsts = [p for p in range(dataset.S3_PRODUCTS + 1, dataset.S3_PRODUCTS + 200) if p % 20 not in (0, 19)][:20]
    pool = sorted({p for first in firsts for p in (first, first + 1)})
    # Most products have plenty; a few run short, so some orders are refused (422) mid-run.
    start = {p: (20 if i % 8 == 0 else 5_000) for i, p in enumerate(pool)}
    with psycopg.connect(tier.db_url, autocommit=True) as conn:
        with conn.transaction():
            for product_id, qty in start.items():
                conn.execute("UPDATE commerce_product SET stock_qty = %s WHERE id = %s", (qty, product_id))
            # Every order from here on (counting, warm-up, the run) is in the stock check.
            first_order = conn.execute("SELECT COALESCE(max(id), 0) FROM commerce_order").fetchone()[0]
        suppliers = dict(conn.execute("SELECT id, supplier_id FROM commerce_product WHERE id = ANY(%s)", (pool,)))
    if any(suppliers[p] == suppliers[p + 1] for p in firsts):
        raise HarnessError("S5's product pairs must each span two suppliers")
    address = {"line1": "1 Bench Street", "city": "Amsterdam", "postal_code": "1011 AB", "country": "NL"}
    bodies = [json.dumps({
        "email": f"bench{i}@shop.example", "shipping_address": address,
        "items": [{"product_id": first, "quantity": rng.randint(1, 3)},
                  {"product_id": first + 1, "quantity": rng.randint(1, 3)}],
    }) for i, first in enumerate(rng.choice(firsts) for _ in range(2_000))]
    bodies_file = bench.tmp / "orders.jsonl"
    bodies_file.write_text("\n".join(bodies) + "\n")
    counted = count_queries(tier, "POST", "/api/v1/orders", staff, bodies[0], expect=(201,))
    log(f"S5 orders: Verso queries cold {counted['cold']}, warm {counted['warm']}")
    url = tier.verso.base + "/api/v1/orders"
    bench.warm(url, staff, method="POST", bodies=bodies_file)
    with psycopg.connect(tier.db_url, autocommit=True) as conn:
        settle(conn)  # requests still in flight when wrk stopped
        before_run = conn.execute("SELECT COALESCE(max(id), 0) FROM commerce_order").fetchone()[0]
    log(" orders from 16 clients")
    result = bench.run("verso orders", url, staff, method="POST", bodies=bodies_file, expect=(201, 422))
    with psycopg.connect(tier.db_url, autocommit=True) as conn:
        settle(conn)
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            taken = dict(conn.execute(
                "SELECT product_id, SUM(quantity) FROM commerce_orderitem WHERE order_id > %s GROUP BY product_id",
                (first_order,)))
            now = dict(conn.execute("SELECT id, stock_qty FROM commerce_product WHERE id = ANY(%s)", (pool,)))
            placed = conn.execute("SELECT count(*) FROM commerce_order WHERE id > %s", (before_run,)).fetchone()[0]
    wrong = {p: (start[p], taken.get(p, 0), now[p]) for p in pool if start[p] - taken.get(p, 0) != now[p] or now[p] < 0}
    strays = set(taken) - set(pool)
    created = result["statuses"].get("201", 0)
    if not created <= placed <= created + bench.args.connections:
        bench.problems.append(f"S5: {created} answers 201 but {placed} orders were placed")
    oversold = bool(wrong or strays)
    if oversold:
        bench.problems.append(f"S5: stock does not add up (start, taken, now): {wrong} {strays}")
    log(f"S5: {placed} orders placed, {result['statuses'].get('422', 0)} refused (422), stock adds up: "
        f"{not oversold}")
    summary = side_summary([result])
    return {
        "title": "Place 2-item orders (2 suppliers) from 16 clients", "request": "POST /api/v1/orders",
        "products": tier.products, "ratio_is": "none (no baseline): orders/s, p99 and the stock check",
        "ratios": [], "ratio_median": None,
        "queries_cold": counted["cold"], "queries_warm": counted["warm"],
        "verso": summary, "baseline": None, "baseline_is": None,
        "orders_per_second": round(placed / result["seconds"], 1), "orders_placed": placed,
        "refused_422": result["statuses"].get("422", 0), "stock_adds_up": not oversold,
        "negative_stock": any(v < 0 for v in now.values()), "pool_products": len(pool),
    }


def settle(conn, timeout: float = 60) -> None:
    """Wait until no other session of this database is busy: what wrk left in flight is done."""
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 3:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state IS NOT NULL AND state <> 'idle'"
        ).fetchone()[0]
        quiet = 0 if busy else quiet + 1
        time.sleep(0.2)


def growth(bench: Bench, tiers: list[Tier]) -> dict:
    """S7: S1 on databases of different sizes, all servers up, rounds interleaved across tiers."""
    path = "/api/v1/products?per_page=100"
    for tier in tiers:
        check_same_body(tier, path, tier.keys["staff"])
    with ThreadPoolExecutor(max_workers=len(tiers)) as pool:
        counts = dict(zip([t.products for t in tiers], pool.map(
            lambda t: t.counted.get(path) or count_queries(t, "GET", path, t.keys["staff"]), tiers), strict=True))
    sides = {}
    for tier in tiers:
        sides[f"verso {tier.products:,}"] = (tier.verso.base + path, tier.keys["staff"], {})
        sides[f"raw {tier.products:,}"] = (tier.raw.base + path, tier.keys["staff"], {})
    results = bench.interleaved(sides)
    smallest, largest = tiers[0], tiers[-1]
    small_rounds, large_rounds = results[f"verso {smallest.products:,}"], results[f"verso {largest.products:,}"]
    per_tier = {}
    for tier in tiers:
        verso_rounds, raw_rounds = results[f"verso {tier.products:,}"], results[f"raw {tier.products:,}"]
        per_tier[str(tier.products)] = {
            "verso": side_summary(verso_rounds), "raw": side_summary(raw_rounds),
            "verso_vs_raw": ratio_entry(verso_rounds, raw_rounds, lambda v, r: v["rps"] / r["rps"]),
            "queries_cold": counts[tier.products]["cold"], "queries_warm": counts[tier.products]["warm"],
        }
    return {
        "title": f"S1 at {', '.join(f'{t.products:,}' for t in tiers)} products", "request": f"GET {path}",
        "ratio_is": f"Verso req/s at {largest.products:,} ÷ Verso req/s at {smallest.products:,} products, per round",
        **ratio_entry(large_rounds, small_rounds, lambda big, small: big["rps"] / small["rps"]),
        "queries_cold": counts[largest.products]["cold"], "queries_warm": counts[largest.products]["warm"],
        "verso": side_summary(large_rounds), "baseline": side_summary(small_rounds),
        "baseline_is": f"Verso at {smallest.products:,} products", "tiers": per_tier,
    }


# --- the machine and the report ----------------------------------------------------------------


def machine(db_url: str) -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = match.group(1).strip() if match else platform.processor()
    ram = None
    with contextlib.suppress(OSError):
        ram = round(int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 ** 2, 1)
    with psycopg.connect(db_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram, "kernel": platform.release(),
        "os": platform.platform(), "postgresql": pg, "python": platform.python_version(), "wrk": wrk_version,
        "shared": "other jobs may run beside the benchmark; compare ratios, not absolute req/s",
    }


def fmt(side: dict | None) -> tuple[str, str]:
    if not side:
        return "—", "—"
    return f"{side['rps']:.1f}", f"{side['p50_ms']:.0f} / {side['p99_ms']:.0f}"


TARGETS = {
    "S1": "≥ 2.5×, ≤ 3 queries cold, ≤ 1 warm", "S2": "≥ 1.5×, p99 ≤ 300 ms",
    "S3": "≥ 2.5×, ≤ 3 queries cold, ≤ 1 warm", "S4": "≤ 4×, same queries",
    "S5": "0 oversell", "S6": "≥ 0.3×", "S7": "≥ 0.8×",
}


def markdown(report: dict) -> str:
    m, s = report["machine"], report["settings"]
    lines = [
        f"# Verso benchmark — {report['mode']} run, {report['date']}",
        "",
        f"Commit `{report['commit']}`. {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, kernel {m['kernel']}, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}, {m['wrk']}.",
        f"gunicorn: {s['workers']} sync workers per server; wrk: {s['threads']} threads, {s['connections']} "
        f"connections (S4: 1), {s['duration']} s per run after a {s['warmup']} s warm-up, {s['rounds']} interleaved "
        f"round(s). {s['products']:,} products (S7: {', '.join(f'{t:,}' for t in s['s7_tiers'])}).",
        "",
        "| | Scenario | Verso req/s | Verso p50 / p99 ms | Compared with | its req/s | its p50 / p99 ms "
        "| Ratio per round | **Ratio median** | Target | Queries cold / warm |",
        "|---|---|---:|---:|---|---:|---:|---|---:|---|---:|",
    ]
    for name, sc in report["scenarios"].items():
        v_rps, v_lat = fmt(sc["verso"])
        b_rps, b_lat = fmt(sc["baseline"])
        ratios = ", ".join(f"{r:.2f}" for r in sc["ratios"]) or "—"
        median = f"**{sc['ratio_median']:.2f}×**" if sc["ratio_median"] is not None else "—"
        if name == "S5":
            median = f"{sc['orders_per_second']:.1f} orders/s"
            ratios = f"{sc['orders_placed']} placed, {sc['refused_422']} refused (422)"
        lines.append(
            f"| {name} | {sc['title']} | {v_rps} | {v_lat} | {sc['baseline_is'] or '—'} | {b_rps} | {b_lat} "
            f"| {ratios} | {median} | {TARGETS[name]} | {sc['queries_cold']} / {sc['queries_warm']} |"
        )
    s4, s5, s7 = (report["scenarios"].get(k) for k in ("S4", "S5", "S7"))
    lines.append("")
    if s4:
        lines.append(f"- S4 queries: 5 items {s4['queries_5_items']['cold']} cold / {s4['queries_5_items']['warm']} "
                     f"warm; 500 items {s4['queries_500_items']['cold']} / {s4['queries_500_items']['warm']}.")
    if s5:
        lines.append(f"- S5: stock adds up after the run: **{'yes' if s5['stock_adds_up'] else 'NO'}**; "
                     f"negative stock: {'YES' if s5['negative_stock'] else 'none'}; "
                     f"p99 {s5['verso']['p99_ms']:.0f} ms.")
    if s7:
        lines.append("- S7 per tier (S1; Verso req/s, raw req/s, median ratio, queries cold / warm): " + "; ".join(
            f"{int(t):,}: {d['verso']['rps']:.1f}, {d['raw']['rps']:.1f}, {d['verso_vs_raw']['ratio_median']:.2f}×, "
            f"{d['queries_cold']} / {d['queries_warm']}" for t, d in s7["tiers"].items()))
    rss = report["worker_rss_mb"]
    lines.append(f"- Worker RSS after the run (MB): Verso {rss['verso']} (max **{rss['verso_max']}**, target ≤ 150); "
                 f"raw {rss['raw']}.")
    if report["problems"]:
        lines.append("- **Problems:** " + "; ".join(report["problems"]))
    lines.append(f"- Whole run: {report['elapsed_seconds'] / 60:.1f} min.")
    return "\n".join(lines) + "\n"


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return (done.stdout.strip() or "unknown") + ("+changes" if dirty else "")


# --- main ------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI: 10,000 products, 2 s runs, 1 round, no 1M tier")
    parser.add_argument("--products", type=int, help="products in the main database (100,000; quick 10,000)")
    parser.add_argument("--duration", type=int, help="seconds per measured run (8; quick 2)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per side (3; quick 1)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (3; quick 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--out", type=Path, help="where results go (benchmarks/results; quick: a temp dir)")
    parser.add_argument("--label", help="name of the result files (default: the date and time)")
    parser.add_argument("--no-latest", action="store_true", help="do not write latest.json / latest.md")
    args = parser.parse_args(argv)
    quick = args.quick
    args.products = args.products or (10_000 if quick else 100_000)
    args.duration = args.duration or (2 if quick else 8)
    args.warmup = args.warmup or (1 if quick else 3)
    args.rounds = args.rounds or (1 if quick else 3)
    # S7's tiers: the main database is one of them; quick skips 1,000,000 (a 20,000 tier
    # keeps the code path alive in CI).
    args.s7_tiers = sorted({10_000, args.products, 20_000 if quick else 1_000_000})
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    run_id = f"{datetime.now(UTC):%m%d%H%M%S}_{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="verso-bench-"))
    out = args.out or (tmp / "results" if args.quick else BENCH / "results")
    dbs = Databases(run_id)
    tiers: dict[int, Tier] = {}
    bench = Bench(args, run_id, tmp)
    # Ctrl-C and kill both unwind through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        log(f"Run {run_id}: logs and scratch files in {tmp}")
        # Verso's migrations run once, into a template every tier's database is copied from.
        template = dbs.create("template")
        django_side("migrate", env={**Tier(products=0, db_name=template, dbs=dbs, run_id=run_id, workers=0,
                                           var_dir=tmp / "var", log_dir=tmp).verso_env()})
        for products in sorted({args.products, *args.s7_tiers}):
            tier = tiers[products] = Tier(
                products=products, db_name=dbs.create(str(products), template=template), dbs=dbs, run_id=run_id,
                workers=args.workers, var_dir=tmp / "var", log_dir=tmp,
            )
            tier.prepare()
        main_tier = tiers[args.products]
        s7_tiers = [tiers[t] for t in args.s7_tiers]

        # Every server starts now (S7's wait idle, costing nothing) and runs to the end.
        log(f"Starting Verso and the raw baseline on {', '.join(f'{t:,}' for t in tiers)} products")
        for tier in tiers.values():
            tier.launch()
        for tier in tiers.values():
            tier.wait_ready()

        log(f"Main database: {args.products:,} products")
        scenarios = main_tier_scenarios(bench, main_tier)
        log(f"S7: S1 on {', '.join(f'{t:,}' for t in args.s7_tiers)} products")
        scenarios["S7"] = growth(bench, s7_tiers)
        rss = {"verso": [], "raw": []}
        for tier in tiers.values():
            rss["verso"] += tier.verso.worker_rss_mb()
            rss["raw"] += tier.raw.worker_rss_mb()
            tier.stop()
        rss["verso_max"] = max(rss["verso"], default=None)

        report = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "mode": "quick" if args.quick else "full",
            "commit": git_commit(), "machine": machine(main_tier.db_url),
            "settings": {"products": args.products, "s7_tiers": args.s7_tiers, "duration": args.duration,
                         "warmup": args.warmup, "rounds": args.rounds, "connections": args.connections,
                         "threads": args.threads, "workers": args.workers, "worker_class": "sync"},
            "scenarios": dict(sorted(scenarios.items())), "worker_rss_mb": rss, "problems": bench.problems,
            "elapsed_seconds": round(time.monotonic() - started, 1),
        }
        out.mkdir(parents=True, exist_ok=True)
        label = args.label or datetime.now(UTC).strftime("%Y-%m-%d-%H%M%S") + ("-quick" if args.quick else "")
        table = markdown(report)
        (out / f"{label}.json").write_text(json.dumps(report, indent=2) + "\n")
        (out / f"{label}.md").write_text(table)
        if not args.quick and not args.no_latest:
            (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
            (out / "latest.md").write_text(table)
        print()
        print(table)
        log(f"Results: {out / label}.json and .md")
        if bench.problems:
            log("The harness could not measure everything cleanly: " + "; ".join(bench.problems))
            return 1
        return 0
    except HarnessError as exc:
        log(f"HARNESS FAILURE: {exc}")
        return 2
    except KeyboardInterrupt:
        log("Interrupted")
        return 130
    finally:
        for tier in tiers.values():
            tier.stop()
        dbs.drop_all()
        with contextlib.suppress(Exception):
            clean_redis(f"verso-bench-{run_id}")


if __name__ == "__main__":
    sys.exit(main())
