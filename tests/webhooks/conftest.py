"""Webhook test fixtures: a real HTTP receiver that records what it is sent, and a real Celery
worker (a thread, solo pool) consuming this run's own queue on the Redis broker."""
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connections

from verso.celery import app as celery_app

QUEUE = f"verso-test-{os.getpid()}"


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """Answers every request with the next status of ``answers`` (then the last one again)
    and records it; ``wait_for(n)`` blocks until n requests arrived (or times out)."""

    host: str
    answers: list = field(default_factory=lambda: [200])
    received: list = field(default_factory=list)
    redirect_to: str | None = None

    def __post_init__(self):
        receiver = self
        self._arrived = threading.Condition()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._arrived:
                    index = len(receiver.received)
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body))
                    receiver._arrived.notify_all()
                status = receiver.answers[min(index, len(receiver.answers) - 1)]
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = _answer  # noqa: N815 - http.server's naming
            do_GET = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
        return list(self.received)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(autouse=True)
def _private_receivers_allowed(settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]


@pytest.fixture
def receiver():
    server = Receiver("127.0.0.1")
    yield server
    server.close()


@pytest.fixture
def private_receiver():
    """A receiver on 127.0.0.2, which the tests never allow."""
    server = Receiver("127.0.0.2")
    yield server
    server.close()


def use_queue(name: str) -> None:
    """Route every task to ``name`` (the app caches its queue table, so drop that too)."""
    celery_app.conf.task_default_queue = name
    for cached in ("queues", "default_queue"):
        celery_app.amqp.__dict__.pop(cached, None)
    celery_app.amqp._rtable = None


def use_broker(url: str) -> None:
    """Point publishing at ``url`` (dropping the pooled connections to the old one)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class TaskLog:
    """Counts the tasks the worker finished (Celery's task_postrun signal), so a test waits
    for the worker's work to be done rather than for time to pass."""

    def __init__(self):
        self.finished: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, sender=None, **kwargs) -> None:
        # The worker thread's own database connection (reused across tasks in production)
        # must not outlive the test, or the test database cannot be dropped.
        connections.close_all()
        with self._changed:
            self.finished.append(sender.name)
            self._changed.notify_all()

    def wait_for(self, count: int, name: str = "webhooks.tasks.deliver", timeout: float = 20) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.finished.count(name) >= count, timeout=timeout)
            return self.finished.count(name)


@pytest.fixture
def task_queue():
    """This run's own queue on the Redis broker (other runs share the server), empty before
    and after the test; yields its name."""
    use_queue(QUEUE)
    celery_app.control.purge()
    yield QUEUE
    celery_app.control.purge()


def queued_tasks() -> list[dict]:
    """The task messages waiting in this run's queue (read, not taken)."""
    with celery_app.connection_for_write() as connection:
        client = connection.default_channel.client
        return [orjson.loads(raw) for raw in client.lrange(QUEUE, 0, -1)]


@pytest.fixture
def worker(task_queue):
    """A real Celery worker in a thread, on this run's own queue;
    ``worker.wait_for(n)`` waits until it has finished n delivery tasks."""
    log = TaskLog()
    signals.task_postrun.connect(log, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield log
    finally:
        signals.task_postrun.disconnect(log)
