"""Webhook deliveries per second: one Celery worker (default pool) sending to a fast local receiver.

Needs PostgreSQL and Redis on loopback. Writes N events for one subscribed webhook (their
tasks wait in a queue of this run's own), then starts `celery -A verso worker` and times
the receiver from the first delivery to the last, so worker start-up is not counted.

    .venv/bin/python benchmarks/webhook_throughput.py [--events 2000] [--concurrency N]
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
DB = f"verso_bench_webhooks_{os.getpid()}"
QUEUE = f"verso-bench-{os.getpid()}"


class Receiver:
    def __init__(self):
        self.times: list[float] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.lock:
                    receiver.times.append(time.monotonic())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=None, help="worker processes (Celery's default: CPUs)")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--worker-option", action="append", default=[], help="passed on to celery worker")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "SECRET_KEY": "benchmark-only",
        "VERSO_ALLOW_PRIVATE_URLS": "127.0.0.1/32",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "LOG_LEVEL": "WARNING",
        "VERSO_VAR_DIR": f"/tmp/verso-bench-{os.getpid()}",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "verso.settings"
    sys.path.insert(0, str(ROOT))
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from verso.celery import app
        from webhooks.models import Delivery
        from webhooks.services import emit_many, webhook_create

        call_command("migrate", "--noinput", verbosity=0)
        receiver = Receiver()
        webhook_create(name="bench", url=receiver.url, events=["order.updated"])
        with transaction.atomic():  # N events, N deliveries; N tasks published on commit
            emit_many("order.updated", [{"id": n, "status": "confirmed"} for n in range(args.events)])
        connection.close()
        command = [str(ROOT / ".venv/bin/celery"), "-A", "verso", "worker", "-Q", QUEUE, "--loglevel", "WARNING",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += args.worker_option
        if args.concurrency:
            command += ["--concurrency", str(args.concurrency)]
        worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + args.timeout
        while len(receiver.times) < args.events and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        received = len(receiver.times)
        succeeded = Delivery.objects.filter(status="succeeded").count()
        if received < 2:
            sys.exit(f"only {received} deliveries arrived")
        seconds = receiver.times[-1] - receiver.times[0]
        print(f"{received} of {args.events} deliveries arrived ({succeeded} logged as succeeded)")
        print(f"{(received - 1) / seconds:.0f} events/s over {seconds:.2f} s (first delivery to last)")
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        try:
            from verso.celery import app

            with app.connection_for_write() as conn:
                conn.default_channel.client.delete(QUEUE)
        except Exception:  # noqa: BLE001 - best effort
            pass
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
