"""The one settings module: every value comes from the environment (see .env.example).

The zero-setup default is SQLite plus an embedded, file-system Celery broker; production sets
DATABASE_URL to PostgreSQL and CELERY_BROKER_URL to Redis.
"""
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from changemgmt.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHANGEMGMT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-mode-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Ahead of django.contrib.auth, so its changepassword and createsuperuser are the audited ones (see the package).
    "changemgmt.people_commands",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_filters",
    "django_fsm",
    "simple_history",
    "django_celery_beat",
    "changemgmt",
    "approvals",
    "changes",
    "cab",
    # The auditor's workspace: the highest layer, it reads every app above.
    "audit",
    # The demo loader: the top layer, it writes through every app's services.
    "demo",
    # Metrics (POLICY §9): the highest layer too, beside audit; neither imports the other.
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A page that lost a lock race answers 409, never a 500 (changemgmt.locking).
    "changemgmt.locking.LostRaceMiddleware",
    "csp.middleware.CSPMiddleware",
    # A retried API POST with the same Idempotency-Key gets the first answer (changemgmt.api.idempotency).
    "changemgmt.api.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "changemgmt.urls"
WSGI_APPLICATION = "changemgmt.wsgi.application"

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
                "changemgmt.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection is checked before a request reuses it, so the first request after
        # a database restart reconnects instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once (web, worker and beat share the file).
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue
    # instead of failing to upgrade a read lock (and ledger appends are serialized).
    # WAL lets readers run beside the one writer and makes each commit one append (the worker marks
    # every mail sent as it goes).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20, "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "changemgmt.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login guessing (django-axes): the first backend refuses a locked-out account or client before the
# password is checked; changemgmt.lockout says how long to wait. See the README's Security section.
AUTHENTICATION_BACKENDS = [
    "changemgmt.lockout.LockoutBackend",
    "changemgmt.backends.RolesBackend",  # the user and its roles in one query (changemgmt/backends.py)
    "django.contrib.auth.backends.ModelBackend",  # kept so sessions that name it still resolve
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The organisation's time zone: everything is stored in UTC and shown, and reasoned about
# (business days, deployment windows), in this zone.
TIME_ZONE = env_str("ORG_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Front-end libraries come from npm (package-lock.json) and are served from node_modules by
# collectstatic/whitenoise: nothing third-party is copied into the repository.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
# Attachments (changes.collaboration) go to Django's default storage: files under MEDIA_ROOT (var/media/)
# unless ATTACHMENT_STORAGE=s3, which stores them in an S3-compatible bucket through django-storages
# (AWS S3, MinIO, Ceph…). Files are never served from MEDIA_ROOT directly: downloads go through a
# permission-checked view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
ATTACHMENT_STORAGE = env_str("ATTACHMENT_STORAGE", "local")
if ATTACHMENT_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("ATTACHMENT_STORAGE must be local or s3")
_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if ATTACHMENT_STORAGE == "s3":
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env_str("S3_BUCKET"),
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # empty: AWS itself
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_secret("S3_ACCESS_KEY_ID") or None,  # empty: the instance's role / the environment
        "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
        "location": env_str("S3_PREFIX", "changemgmt"),
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
    }}
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("ATTACHMENT_STORAGE=s3 needs S3_BUCKET")
# Pages that update without a reload (change page, My approvals, inbox) ask for a cheap version
# stamp this often, in seconds, and fetch the part again only when it moved.
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 5)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# A Redis cache outage degrades to the database (django-redis's IGNORE_EXCEPTIONS: a failed read
# is a miss, a failed write is skipped; short timeouts so a hung Redis cannot stall requests).
# Sessions live in the database, never only in the cache.
CACHES = {
    "default": (
        {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": env_str("CACHE_URL"),
         "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "changemgmt.sessions"  # the database backend, its read compiled once per process

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "changemgmt <changemgmt@localhost>")

# Security: strict in production, relaxed only for DEBUG development.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, and take the client address (login
# lockout, API throttles) from the last X-Forwarded-For hop, the one the proxy appended.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Login lockout (django-axes, database handler): 5 failures lock the account, and 5 lock the client
# address, for 15 minutes from the last failed attempt (failures older than that are forgotten). A
# success does not clear them: logging in to one's own account must not reset the client's count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "changemgmt.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "changemgmt.lockout.client_ip"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # failures are what count; no row written for every successful login

# Content-Security-Policy on every response (django-csp): our own scripts, styles and images only;
# templates carry no inline script, event handler or style (a test greps them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "changemgmt.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["changemgmt.api.permissions.HasAnyRole"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["changemgmt.api.parsers.JSONParser"],  # JSON only, depth-limited
    "DEFAULT_PAGINATION_CLASS": "changemgmt.api.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "changemgmt.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # API-token guessing: failed token authentications per client address (changemgmt.api.throttling).
    "DEFAULT_THROTTLE_RATES": {"failed_token": "20/5m"},
}
# How long an API write's Idempotency-Key is remembered (changemgmt.api.idempotency), in hours.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# Long lists count exactly up to this many rows; past it they show the table's estimate ("about N", no
# filter) or "more than N" (filtered), so a page costs the same at 10,000 rows as at 1,000,000.
EXACT_COUNT_LIMIT = env_int("EXACT_COUNT_LIMIT", 10_000)
# Webhooks may go to private, loopback, link-local or reserved addresses (changemgmt.webhooks.destinations):
# off, so a subscription cannot make the server call into its own network; on for a receiver inside it.
WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = env_bool("WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "changemgmt API",
    "DESCRIPTION": "Create and move change requests, ask whether a change may deploy, decide approvals.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["changemgmt.api.permissions.HasAnyRole"],
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN, works offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # OpenAPI links: what to do next with a created object (changemgmt.api.links).
    # The Idempotency-Key header on every POST (changemgmt.api.idempotency).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "changemgmt.api.links.add_links",
                             "changemgmt.api.schema.add_idempotency_key"],
    # Choice sets that share values or field names get one clear name each (see changes.api).
    "ENUM_NAME_OVERRIDES": {
        "ChangeTypeEnum": "changes.choices.ChangeType",
        "FilingTypeEnum": [("normal", "Normal"), ("emergency", "Emergency")],
        "LevelEnum": "changes.choices.RiskLevel",
        "RiskScoreEnum": [(1, "1"), (2, "2"), (3, "3")],
        "ChangeOutcomeEnum": "changes.choices.Outcome",
        "RollbackKindEnum": "changes.choices.RollbackKind",
        "FreezeKindEnum": "changes.calendar.choices.FreezeKind",
        "MeetingKindEnum": "cab.choices.MeetingKind",
        "MeetingStatusEnum": "cab.choices.MeetingStatus",
        "DecisionOutcomeEnum": "cab.choices.Outcome",
        "BulkActionEnum": "changes.lists.forms.BULK_ACTIONS",
        "ActionKindEnum": "cab.choices.ActionKind",
        "ActionStatusEnum": "cab.choices.ActionStatus",
        "NotificationKindEnum": "changemgmt.models.notifications.NotificationKind",
        "TokenKindEnum": "changemgmt.models.tokens.TokenKind",
        "OnCallRoleEnum": "approvals.models.OnCallShift.ROLE_CHOICES",
        "SlotRoleEnum": "approvals.choices.SlotRole",
        "SlotStatusEnum": "approvals.choices.SlotStatus",
        "EmergencyRoleEnum": "approvals.choices.EmergencyRole",
    },
}

# Celery: an embedded file-system broker by default (no server to install), Redis in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Poll the queue folder often: with one task in flight at a time (late acks, prefetch 1)
        # the default 1 s poll capped the embedded worker at about one task per second.
        "polling_interval": 0.05,
    }
# Queuing a task gives up after about a second when the broker is down (kombu would otherwise retry
# for minutes inside the request); changemgmt.tasking logs it and the periodic sweeps catch up.
CELERY_BROKER_TRANSPORT_OPTIONS = {**globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
                                   "max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Test/demo only: every approval SLA lasts this many real seconds (0 = business days by policy).
SLA_SECONDS_OVERRIDE = env_int("SLA_SECONDS_OVERRIDE", 0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The Ed25519 private key (PEM) that signs ledger checkpoints; auditors verify them with its public key
# (changemgmt.ledger.signing_key). Required when DEBUG is off; `manage.py ledger keygen` writes one. With
# LEDGER_SIGNING_KEY_AUTOGENERATE (on with DEBUG; tests) a missing key is generated under VAR_DIR.
LEDGER_SIGNING_KEY_AUTOGENERATE = env_bool("LEDGER_SIGNING_KEY_AUTOGENERATE", DEBUG)
LEDGER_SIGNING_KEY_FILE = env_str("LEDGER_SIGNING_KEY_FILE")
if not LEDGER_SIGNING_KEY_FILE:
    if not LEDGER_SIGNING_KEY_AUTOGENERATE:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY_FILE is required when DEBUG is off "
                                   "(create one with: manage.py ledger keygen --output FILE)")
    LEDGER_SIGNING_KEY_FILE = str(VAR_DIR / "ledger-signing-key.pem")
# The public keys of signing keys retired by `manage.py ledger rotate-key` (a PEM bundle, appended to
# by that command): checkpoints they signed still verify, and the well-known key URL publishes them.
LEDGER_RETIRED_PUBLIC_KEYS_FILE = env_str("LEDGER_RETIRED_PUBLIC_KEYS_FILE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; its failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
