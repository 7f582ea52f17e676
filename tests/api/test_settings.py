"""Settings as an operator meets them: each case loads verso.settings in a fresh process."""
import json
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)

SHOW = r"""
import json, sys, django
django.setup()
from django.conf import settings
from verso.celery import app
names = sys.argv[1:]
print(json.dumps({name: getattr(settings, name) for name in names} | {"celery": app.conf.broker_url}, default=str))
"""


def _environment(**variables) -> dict:
    """This process's environment minus every Verso and Django setting, plus ``variables``
    (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, say, is no part of a deployment)."""
    env = {name: value for name, value in os.environ.items()
           if name not in ENV_NAMES and not name.startswith("DJANGO_")}
    return {**env, "DJANGO_SETTINGS_MODULE": "verso.settings", **variables}


def _python(code: str, *args: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=_environment(**variables),
                          capture_output=True, text=True, timeout=60)


def _settings(*names: str, **variables) -> dict:
    run = _python(SHOW, *names, **variables)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


SHOWN = ("VAR_DIR", "MEDIA_ROOT", "STATIC_ROOT", "DATABASES", "CACHES", "CELERY_BROKER_URL", "ALLOWED_HOSTS",
         "DEBUG", "SECURE_SSL_REDIRECT", "VERSO_TRUSTED_PROXY_HOPS", "VERSO_WEBHOOK_RETRY_DELAYS",
         "VERSO_STAFF_READ_RATE", "VERSO_CURRENCY", "LOGGING")


def test_every_variable_of_env_example_set_empty_means_the_embedded_default():
    assert {"MEDIA_ROOT", "VERSO_VAR_DIR", "CELERY_BROKER_URL", "SECRET_KEY"} <= set(ENV_NAMES)
    key = {"SECRET_KEY": "k" * 60}  # spares the checkout's var/ a generated key (an empty one: below)

    unset = _settings(*SHOWN, **key)
    empty = _settings(*SHOWN, **{**{name: "" for name in ENV_NAMES}, **key})

    assert empty == unset
    assert empty["VAR_DIR"] == str(ROOT / "var")
    assert empty["MEDIA_ROOT"] == str(ROOT / "var" / "media")
    assert empty["CELERY_BROKER_URL"] == empty["celery"] == "filesystem://"
    assert empty["DATABASES"]["default"]["NAME"] == str(ROOT / "var" / "db.sqlite3")
    assert empty["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert empty["VERSO_WEBHOOK_RETRY_DELAYS"] == [60, 300, 1800, 7200, 21600, 43200, 86400]


def test_an_empty_broker_url_falls_back_to_redis(tmp_path):
    shown = _settings("CELERY_BROKER_URL", REDIS_URL="redis://127.0.0.1:6379/3", CELERY_BROKER_URL="",
                      VERSO_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 60)

    assert shown["CELERY_BROKER_URL"] == shown["celery"] == "redis://127.0.0.1:6379/3"


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    production = {"DATABASE_URL": "postgres://verso@db.internal:5432/verso", "DEBUG": "false",
                  "VERSO_VAR_DIR": str(tmp_path)}

    for missing in ({}, {"SECRET_KEY": ""}):
        run = _python(SHOW, **production, **missing)

        assert run.returncode != 0
        assert "ImproperlyConfigured: SECRET_KEY is not set" in run.stderr
        assert not (tmp_path / "secret_key").exists()  # no per-machine key was made up
    key = secrets.token_urlsafe(50)
    assert _settings("SECRET_KEY", **production, SECRET_KEY=key)["SECRET_KEY"] == key


# Watches the key file at every audit event of the process (every open, chmod, import …)
# and reports whether it was ever seen readable or writable by anyone but its owner.
WATCH_THE_KEY_FILE = r"""
import os, sys
os.umask(0o022)
path = os.path.join(os.environ["VERSO_VAR_DIR"], "secret_key")
seen = set()
def watch(event, args):
    try:
        seen.add(oct(os.stat(path).st_mode & 0o777))
    except OSError:
        pass
sys.addaudithook(watch)
import django
django.setup()
from django.conf import settings
print(sorted(seen), len(settings.SECRET_KEY))
"""


def test_the_embedded_default_generates_a_key_file_only_its_owner_can_ever_read(tmp_path):
    run = _python(WATCH_THE_KEY_FILE, VERSO_VAR_DIR=str(tmp_path))

    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["['0o600']", "67"]
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # the next start (the worker, a second web process) reads the same key
    again = _settings("SECRET_KEY", VERSO_VAR_DIR=str(tmp_path))
    assert again["SECRET_KEY"] == key_file.read_text().strip()


def test_a_key_file_made_earlier_that_others_could_read_is_kept_and_made_its_owners_alone(tmp_path):
    # given a key file from before keys were made 0600, readable by everyone
    key_file = tmp_path / "secret_key"
    key_file.write_text("an-older-key-" + secrets.token_urlsafe(50) + "\n")
    key_file.chmod(0o644)
    # when the embedded default starts
    shown = _settings("SECRET_KEY", VERSO_VAR_DIR=str(tmp_path))
    # then it keeps that key, and only its owner may read the file from now on
    assert shown["SECRET_KEY"] == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


DECLARE_A_QUEUE = r"""
import django
django.setup()
from kombu import Exchange, Queue
from verso.celery import app
with app.connection_for_write() as connection:
    Queue("probe", Exchange("probe"), "probe", channel=connection.default_channel).declare()
"""


def test_the_filesystem_broker_keeps_all_its_files_under_var(tmp_path):
    var, elsewhere = tmp_path / "var", tmp_path / "cwd"
    elsewhere.mkdir()

    run = subprocess.run([sys.executable, "-c", DECLARE_A_QUEUE], cwd=elsewhere, capture_output=True, text=True,
                         timeout=60, env={**_environment(VERSO_VAR_DIR=str(var)), "PYTHONPATH": str(ROOT)})

    assert run.returncode == 0, run.stderr
    assert list(elsewhere.iterdir()) == []  # nothing dropped into the directory it was started from
    assert (var / "celery" / "control" / "probe.exchange").exists()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    production = {"VERSO_HTTPS": "true", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                  "ALLOWED_HOSTS": "verso.example.com", "VERSO_VAR_DIR": str(tmp_path),
                  "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://verso@db.internal:5432/verso")}

    run = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                         env=_environment(**production), capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    assert "System check identified no issues" in run.stdout
    assert "WARNING" not in run.stdout + run.stderr


def test_hsts_preload_is_the_operators_opt_in(tmp_path):
    https = {"VERSO_HTTPS": "true", "SECRET_KEY": "k" * 60, "VERSO_VAR_DIR": str(tmp_path)}

    assert _settings("SECURE_HSTS_PRELOAD", **https)["SECURE_HSTS_PRELOAD"] is False
    assert _settings("SECURE_HSTS_PRELOAD", **https, VERSO_HSTS_PRELOAD="true")["SECURE_HSTS_PRELOAD"] is True


def test_a_bad_or_far_too_wide_private_url_allowance_stops_the_start(tmp_path):
    for value, says in (("localhost", "is not a network"), ("127.0.0.1/33", "is not a network"),
                        ("0.0.0.0/0", "opens far too much"), ("::/0", "opens far too much")):
        run = _python(SHOW, VERSO_VAR_DIR=str(tmp_path), VERSO_ALLOW_PRIVATE_URLS=value)
        assert run.returncode != 0 and says in run.stderr, (value, run.stderr[-500:])
    opened = _settings("VERSO_ALLOW_PRIVATE_URLS", VERSO_VAR_DIR=str(tmp_path),
                       VERSO_ALLOW_PRIVATE_URLS="127.0.0.1/32, ::1/128")
    assert opened["VERSO_ALLOW_PRIVATE_URLS"] == ["127.0.0.1/32", "::1/128"]
