"""Assertions and small helpers the tests share (contract shapes, Staff API errors, query counts, threads)."""
import datetime as dt
import threading
import time
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_same_shape(actual: dict, example: dict) -> None:
    """Same keys as the contract's example, each value of the same JSON type."""
    assert list(actual) == list(example) or set(actual) == set(example), (sorted(actual), sorted(example))
    for key, value in example.items():
        assert type(actual[key]) is type(value), f"{key}: {type(actual[key]).__name__} != {type(value).__name__}"


def at(text: str) -> dt.datetime:
    """An ISO 8601 timestamp ("2024-12-01T10:30:00Z") as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_staff_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"error", "code", "details"} and {"error", "code"} <= set(body), body
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    return body


def test_database_url() -> str:
    """The URL of this run's test database, for a second process (a worker) to share it."""
    params = connection.settings_dict
    user = params["USER"] or "postgres"
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def run_at_once(*calls, timeout: float = 60) -> list:
    """Run each zero-argument callable on its own thread, all released at the same moment.

    Each thread gets (and closes) its own database connection, as concurrent requests do.
    Returns the results in the calls' order; the first exception any thread raised is re-raised.
    """
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results


class Rendezvous:
    """Threads on their own PostgreSQL connections meet at one SQL statement of the code under test.

    Each thread runs its work inside ``with rendezvous.taking_part(at=...)``. At the first
    statement that starts with ``at`` (before it runs, or just after with ``after=True``) the
    thread waits until every other party has got there too (or has finished), or is waiting
    on a lock another connection holds (``pg_blocking_pids``): then it cannot get there
    before this one goes on, so there is nothing more to wait for. Without locks the parties
    all meet and go on together; with them, the one that was let through goes on at once.

    Waiting is bounded: after ``timeout`` seconds the thread fails, naming who never came.
    """

    def __init__(self, *, parties: int = 2, timeout: float = 10, poll: float = 0.005):
        self.parties, self.timeout, self.poll = parties, timeout, poll
        self._changed = threading.Condition()
        self._pids: dict[int, int] = {}  # thread -> its backend's pid
        self._arrived: set[int] = set()  # threads that got to the statement, or finished

    @contextmanager
    def taking_part(self, *, at: str, after: bool = False):
        me = threading.get_ident()
        connection.ensure_connection()
        with self._changed:
            self._pids[me] = connection.connection.info.backend_pid
            self._changed.notify_all()
        met = False

        def meet_at_the_statement(execute, sql, params, many, context):
            nonlocal met
            if met or not sql.startswith(at):
                return execute(sql, params, many, context)
            met = True
            if not after:
                self._meet(me)
            result = execute(sql, params, many, context)
            if after:
                self._meet(me)
            return result

        try:
            with connection.execute_wrapper(meet_at_the_statement):
                yield
        finally:
            with self._changed:
                self._arrived.add(me)
                self._changed.notify_all()

    def _meet(self, me: int) -> None:
        deadline = time.monotonic() + self.timeout
        with self._changed:
            self._arrived.add(me)
            self._changed.notify_all()
            while True:
                others = {thread: pid for thread, pid in self._pids.items() if thread != me}
                still_coming = [pid for thread, pid in others.items() if thread not in self._arrived]
                if len(others) == self.parties - 1 and all(_waits_on_a_lock(pid) for pid in still_coming):
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"Rendezvous: gave up after {self.timeout} s; backends {still_coming} neither got to "
                        f"the statement nor waited on a lock ({self.parties - 1 - len(others)} never started)."
                    )
                self._changed.wait(self.poll)


def _waits_on_a_lock(pid: int) -> bool:
    """Whether PostgreSQL backend ``pid`` is waiting on a lock another connection holds.

    pg_blocking_pids reads the lock table as it is now (pg_stat_activity would answer from
    a snapshot taken once per transaction).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


def admin_actions_offered(client, changelist_url: str) -> set[str]:
    """The names of the actions a changelist's action menu offers this admin user."""
    response = client.get(changelist_url)
    assert response.status_code == 200
    form = response.context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def run_admin_action(client, changelist_url: str, action: str, objects, **extra):
    """POST an admin action on ``objects`` as the changelist's form would (follows the redirect)."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    selected = [obj.pk for obj in objects]
    return client.post(changelist_url, {"action": action, ACTION_CHECKBOX_NAME: selected, **extra}, follow=True)


def assert_supplier_ok(response, status: int = 200):
    """The ``data`` of a Supplier API success: ``{"success": true, "data": …}`` and nothing else."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"success", "data"} and body["success"] is True
    return body["data"]


def assert_supplier_error(response, status: int, code: str) -> dict:
    """The ``error`` of a Supplier API failure, in its envelope, as JSON, with a message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]
