"""The benchmark's steps that run inside Verso (a subprocess configured like production).

    python benchmarks/django_side.py migrate
        create the schema in the (fresh) database with Verso's own migrations.
    python benchmarks/django_side.py keys SUPPLIER_ID
        create the benchmark's API keys (all staff scopes; one for the supplier) through
        Verso's own service, so they are hashed exactly as Verso hashes them, with a high
        per-key rate-limit override; print them and MEDIA_URL as JSON.
    python benchmarks/django_side.py count < requests.json
        send each request, in a process of its own, three times through Django's test
        client (the whole middleware and view stack, as gunicorn would run it) and count
        the SQL statements of the first ("cold": a new process and an empty cache prefix)
        and of the third ("warm") with CaptureQueriesContext; print them as JSON.
"""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verso.settings")

# High enough never to bind during a run; the limiter still counts every request.
BENCH_RATE = "100000000/m"


def migrate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def keys(supplier_id: int) -> None:
    import django

    django.setup()
    from django.conf import settings

    from supplier.models import Supplier
    from verso.api.scopes import ALL_SCOPES
    from verso.api.services import api_key_create

    _, staff = api_key_create(name="benchmark staff", scopes=ALL_SCOPES, rate_limit_override=BENCH_RATE)
    _, supplier = api_key_create(
        name="benchmark supplier", scopes=[], supplier=Supplier.objects.get(pk=supplier_id),
        rate_limit_override=BENCH_RATE,
    )
    print(json.dumps({"staff": staff, "supplier": supplier, "media_url": settings.MEDIA_URL}))


def count_one(request: dict) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {request['key']}")
    counts, statuses = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            if request["method"] == "GET":
                response = client.get(request["path"])
            else:
                response = client.post(request["path"], data=request["body"], content_type="application/json")
        counts.append(len(captured))
        statuses.append(response.status_code)
    return {"cold": counts[0], "warm": counts[2], "statuses": statuses}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "migrate":
        migrate()
    elif command == "keys":
        keys(int(sys.argv[2]))
    elif command == "count":
        print(json.dumps(count_one(json.load(sys.stdin))))
    else:
        raise SystemExit(f"unknown command {command!r}")
