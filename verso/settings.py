"""Verso settings: every deployment value comes from the environment (see .env.example).

With nothing set you get the embedded default: SQLite, the local-memory cache and Celery
on a filesystem broker, all under the git-ignored ``var/`` folder. A variable set to an
empty value counts as not set (``MEDIA_ROOT=`` in an env file means "the default").
"""
import ipaddress
import os
import secrets
import stat
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """The variable's value; ``default`` when it is unset or empty (or only whitespace)."""
    value = os.environ.get(name, "")
    return value if value.strip() else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VERSO_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; the embedded default generates one once per checkout.

    Production (a DATABASE_URL, DEBUG off) must set it: a key generated on each machine would
    differ between the web servers behind one proxy (sessions, CSRF and password reset links
    signed on one would fail on the next) and change whenever a machine is rebuilt.
    """
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    if env("DATABASE_URL") and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With a DATABASE_URL and DEBUG off (production), set SECRET_KEY "
            "to the same long random value on every machine, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    path = VAR_DIR / "secret_key"
    try:
        # Created readable by its owner only from the first byte (no write-then-chmod window).
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        # One made before keys were created 0600 (or copied in) may be open to the group or
        # everyone: from now on it is its owner's alone, like a new one.
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
HTTPS = env_bool("VERSO_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "verso",
    "verso.api",
    "supplier",
    "webhooks",
    "commerce",
    "crm",
    "scheduling",
    "settlement",
]

# The web-only middleware skip /api/ paths (see verso.middleware): the API authenticates
# with bearer keys and needs neither sessions, CSRF nor messages.
MIDDLEWARE = [
    # A cached API list page for an ordinary request is answered here, before the rest
    # (it replays the headers the rest gave that path's last full answer).
    "verso.api.fastpath.ApiFastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "verso.middleware.WebBodyLimitMiddleware",
    "verso.middleware.WebSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "verso.middleware.ApiExceptionMiddleware",
    "verso.middleware.WebCsrfViewMiddleware",
    "verso.middleware.WebAuthenticationMiddleware",
    "verso.middleware.WebMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "verso.urls"
WSGI_APPLICATION = "verso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        # A health check is an extra "SELECT 1" round trip at the start of every request;
        # off by default (a dead connection fails one request, then is replaced).
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (web + worker) wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "verso.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("VERSO_CACHE_PREFIX", "verso"),
            # Short timeouts: a dead Redis must not hang requests (the API fails open).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the apps when they were never collected (tests, dev).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Pages behind a login send visitors to the supplier portal's login; the admin has its own.
LOGIN_URL = "/portal/login/"

# Bodies over 2.5 MB are refused with 413 in the API's envelope.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Opt-in: "preload" lets anyone submit the domain to the browsers' built-in HSTS list, which
# is slow to undo and binds every subdomain; hstspreload.org asks projects not to send it
# by default. An operator who wants the list sets VERSO_HSTS_PRELOAD=true (with VERSO_HTTPS).
SECURE_HSTS_PRELOAD = HTTPS and env_bool("VERSO_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SILENCED_SYSTEM_CHECKS = [
    # W003 looks for the literal "django.middleware.csrf.CsrfViewMiddleware" in MIDDLEWARE;
    # CSRF is enforced by its subclass verso.middleware.WebCsrfViewMiddleware (stepping aside
    # only for /api/, where bearer keys, not cookies, authenticate).
    "security.W003",
    # W021 asks for SECURE_HSTS_PRELOAD, which is the operator's choice (VERSO_HSTS_PRELOAD).
    "security.W021",
]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["verso.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["verso.api.authentication.StaffKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["verso.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "verso.api.exceptions.staff_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "verso.api.schema.VersoAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
    "DEFAULT_VERSIONING_CLASS": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Verso Marketplace API",
    "DESCRIPTION": "The Staff API (/api/v1/) and the Supplier API (/api/v1/supplier/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_AUTHENTICATION": [],
    # The <id:…> path converter (verso.api.converters): ids are 1 to 2^63-1.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1},  # verso.db.MAX_BIGINT
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Both bearer schemes are always declared (verso.api.schema maps each view to its own).
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "StaffApiKey": {"type": "http", "scheme": "bearer", "description": "A Staff API key, with scopes."},
            "SupplierApiKey": {"type": "http", "scheme": "bearer", "description": "A Supplier API key (one supplier)."},
        }
    },
}

# Rate limits (verso.api.throttling): fixed-window counters in the default cache (Redis in
# production); a counter that cannot be read means "serve the request" (fail open).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"
# Reverse proxies in front of Verso (each appends to X-Forwarded-For); 0 = clients connect directly.
VERSO_TRUSTED_PROXY_HOPS = int(env("VERSO_TRUSTED_PROXY_HOPS", "0"))
VERSO_STAFF_READ_RATE = env("VERSO_STAFF_READ_RATE", "100/m")
VERSO_STAFF_WRITE_RATE = env("VERSO_STAFF_WRITE_RATE", "30/m")
VERSO_SUPPLIER_RATE = env("VERSO_SUPPLIER_RATE", "1000/h")
# Bytes of rendered list pages each process keeps (verso.api.pagecache; used only with
# Redis, whose generations say when a page is stale); 0 turns the page cache off.
VERSO_API_PAGE_CACHE_BYTES = int(env("VERSO_API_PAGE_CACHE_BYTES", str(16 * 1024 * 1024)))
# Failed logins (admin, portal) allowed per client IP and per username before logins pause
# until the window that began with the first failure ends (verso.logins).
VERSO_LOGIN_RATE_PER_IP = env("VERSO_LOGIN_RATE_PER_IP", "30/5m")
VERSO_LOGIN_RATE_PER_USERNAME = env("VERSO_LOGIN_RATE_PER_USERNAME", "10/5m")
# Password-reset emails asked for (every request counts, sent or not) per client IP and per address.
VERSO_PASSWORD_RESET_RATE_PER_IP = env("VERSO_PASSWORD_RESET_RATE_PER_IP", "20/h")
VERSO_PASSWORD_RESET_RATE_PER_EMAIL = env("VERSO_PASSWORD_RESET_RATE_PER_EMAIL", "3/h")

# Email (password resets, supplier notifications). With no EMAIL_HOST the embedded default
# writes each email as a file under var/mail/ (web and worker alike), so the demo's emails
# can be read there; with EMAIL_HOST set, SMTP.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10  # seconds: a stuck mail server must not hold a worker
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Verso <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach this Verso: the links in emails (password resets, notifications) start
# with it, never with a request's Host header.
VERSO_PUBLIC_URL = env("VERSO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

VERSO_CURRENCY = env("VERSO_CURRENCY", "eur")
# The name the admin shows in its header and browser tab (operators who rebrand set their own).
VERSO_SITE_NAME = env("VERSO_SITE_NAME", "Verso")
# The marketplace's commission, percent of each item's gross, when neither the supplier nor the
# product's category has a rate of its own (settlement.rates).
try:
    VERSO_DEFAULT_COMMISSION_RATE = Decimal(env("VERSO_DEFAULT_COMMISSION_RATE", "15.00"))
except ArithmeticError:
    VERSO_DEFAULT_COMMISSION_RATE = Decimal(-1)
if not (0 <= VERSO_DEFAULT_COMMISSION_RATE <= 100) or VERSO_DEFAULT_COMMISSION_RATE.as_tuple().exponent < -2:
    raise ImproperlyConfigured("VERSO_DEFAULT_COMMISSION_RATE: a percentage from 0 to 100, at most 2 decimals")
VERSO_ALLOW_PRIVATE_URLS = env_list("VERSO_ALLOW_PRIVATE_URLS")
for _network in VERSO_ALLOW_PRIVATE_URLS:  # a typo must stop the start, not turn every fetch into a 500
    try:
        _opened = ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"VERSO_ALLOW_PRIVATE_URLS: {_network!r} is not a network such as 127.0.0.1/32")
    if _opened.prefixlen < (8 if _opened.version == 4 else 32):
        raise ImproperlyConfigured(f"VERSO_ALLOW_PRIVATE_URLS: {_network!r} opens far too much; name a small network")
# Product images fetched from suppliers' URLs (commerce.images, through verso.fetch).
VERSO_IMAGE_MAX_BYTES = 5 * 1024 * 1024  # per file, whatever Content-Length says
VERSO_IMAGE_MAX_PIXELS = 40_000_000  # a bigger image is refused as a decompression bomb
VERSO_IMAGE_THUMBNAIL_SIZE = 400  # the thumbnail fits in a square this many pixels wide
VERSO_IMAGE_JPEG_QUALITY = 85
VERSO_IMAGE_CONNECT_TIMEOUT = 5  # seconds
VERSO_IMAGE_READ_TIMEOUT = 5  # seconds of silence between two reads
VERSO_IMAGE_DEADLINE_SECONDS = 15  # one image, start to last byte
VERSO_IMAGE_REQUEST_DEADLINE_SECONDS = 25  # every image of one request together
VERSO_WEBHOOK_RETRY_DELAYS = [
    int(s) for s in env_list("VERSO_WEBHOOK_RETRY_DELAYS", "60,300,1800,7200,21600,43200,86400")
]
VERSO_WEBHOOK_DISABLE_AFTER = int(env("VERSO_WEBHOOK_DISABLE_AFTER", "20"))  # failed deliveries in a row
VERSO_WEBHOOK_DEADLINE_SECONDS = 10  # one attempt, connect to last byte
VERSO_WEBHOOK_CONNECT_TIMEOUT = 5
VERSO_WEBHOOK_READ_TIMEOUT = 5
VERSO_WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024  # of the receiver's answer, read and dropped
VERSO_IDEMPOTENCY_TTL_SECONDS = 24 * 3600
# Supplier emails (supplier.notifications): seconds between attempts when the mail server
# refuses or is unreachable; after the last one the email is marked failed.
VERSO_SUPPLIER_EMAIL_RETRY_DELAYS = [
    int(s) for s in env_list("VERSO_SUPPLIER_EMAIL_RETRY_DELAYS", "60,300,1800,7200")
]

# Celery: Redis when REDIS_URL is set, else a filesystem broker beside the database.
_celery_queue_dir = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0,
        # Redis hands an unacknowledged task to another worker after this: longer than the
        # longest retry countdown, or a scheduled retry would be copied every hour until due.
        "visibility_timeout": max(VERSO_WEBHOOK_RETRY_DELAYS, default=0) + 3600,
    }
else:
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
    for sub in ("out", "processed"):
        (_celery_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir / "out"),
        "data_folder_out": str(_celery_queue_dir / "out"),
        "processed_folder": str(_celery_queue_dir / "processed"),
        # kombu's default is "control" in the current directory (the checkout, for scripts/run).
        "control_folder": str(_celery_queue_dir / "control"),
        "store_processed": False,
    }
# Never block a request on the broker: connect fast, don't retry publishes in the request path.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around every task unless told to
# reuse it: a new PostgreSQL connection per webhook delivery would cap a worker at a few
# dozen a second. Reused here; verso.celery drops broken or expired ones before each task
# (CONN_MAX_AGE), as Django does around requests.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-keys": {"task": "verso.api.tasks.purge_expired_idempotency_keys", "schedule": 3600},
    # Deliveries a broker outage left pending (the worker also runs it when it starts).
    "sweep-pending-webhook-deliveries": {"task": "webhooks.tasks.sweep_pending_deliveries", "schedule": 60},
    "sweep-pending-supplier-emails": {"task": "supplier.tasks.sweep_pending_supplier_emails", "schedule": 60},
    # Last month's settlement statements (drafts for staff to check and issue), early on the 1st (UTC).
    "generate-monthly-settlements": {
        "task": "settlement.tasks.generate_previous_month_statements",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
