"""The one settings module. Every value comes from the environment (see README.md).

With no variables set it runs the embedded default: SQLite, a file broker and cache under
DATA_DIR, and the Altafid sandbox as the upstream. Production sets DEBUG=false, which makes
SECRET_KEY and ALLOWED_HOSTS mandatory.
"""

import base64
import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onboarding.altafid.sandbox import defaults as sandbox
from onboarding.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_optional_str,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / ".data")))

# Off unless asked for: `manage.py dev` and the test settings turn it on for development.
DEBUG = env_bool("DEBUG", False)

# The development values in this public repository: never accepted with DEBUG off.
DEVELOPMENT_SECRET_KEY = "django-insecure-embedded-default-only-never-use-in-production"  # noqa: S105
DEVELOPMENT_FIELD_KEY = "ZGV2LW9ubHkta2V5LWZvci1lbWJlZGRlZC1ydW5zLTE="
DEVELOPMENT_SEARCH_HASH_KEY = "dev-only-search-hash-key-for-embedded-runs"

_secret_key = env_optional_str("SECRET_KEY")
if _secret_key is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    _secret_key = DEVELOPMENT_SECRET_KEY
elif len(_secret_key) < 50 or len(set(_secret_key)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with 5 distinct ones")
if not DEBUG and _secret_key == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must not be the repository's development key")
SECRET_KEY = _secret_key

# --- Data at rest: Fernet keys for sensitive draft fields, and a key for searchable hashes --
# The first encryption key encrypts; every listed key decrypts, so a new key can be put in
# front and the old one kept until the data is re-encrypted.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
SEARCH_HASH_KEY = env_optional_str("SEARCH_HASH_KEY")
if not DEBUG and not (FIELD_ENCRYPTION_KEYS and SEARCH_HASH_KEY):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and SEARCH_HASH_KEY must be set when DEBUG is false"
    )
if not DEBUG and DEVELOPMENT_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must not hold the repository's development key"
    )
if not DEBUG and SEARCH_HASH_KEY == DEVELOPMENT_SEARCH_HASH_KEY:
    raise ImproperlyConfigured("SEARCH_HASH_KEY must not be the repository's development key")
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [DEVELOPMENT_FIELD_KEY]
SEARCH_HASH_KEY = SEARCH_HASH_KEY or DEVELOPMENT_SEARCH_HASH_KEY
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes), "
            "comma-separated"
        ) from None
if len(SEARCH_HASH_KEY) < 32:
    raise ImproperlyConfigured("SEARCH_HASH_KEY must be at least 32 characters")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")
if not DEBUG and "*" in ALLOWED_HOSTS:
    # Any Host header would be trusted, and with it the links built from it.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the hosts when DEBUG is false, not the wildcard *"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "onboarding.accounts",
    "onboarding.outbox",
    "onboarding.audit",
    "onboarding.altafid",
    "onboarding.lookups",
    "onboarding.screening",
    "onboarding.cases",
    "onboarding.submissions",
    "onboarding.notices",
    "onboarding.documents",
    "onboarding.kyc",
    "onboarding.staff",
    "onboarding.operations",
    "onboarding.health",
    "onboarding.web",
    "onboarding.home",
]

MIDDLEWARE = [
    # First: everything after it, django-axes's lockouts and the per-address limits included,
    # sees the client's address rather than the TLS proxy's.
    "onboarding.web.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Section pages repeat long country lists; gzip sends a fifth of them. Django's
    # GZipMiddleware pads its output against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "onboarding.web.middleware.FormBodiesOnlyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onboarding.web.middleware.PrivateResponsesMiddleware",
    "onboarding.web.middleware.IdleTimeoutMiddleware",
    "onboarding.accounts.middleware.TwoFactorMiddleware",
    "onboarding.accounts.middleware.TenantTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onboarding.web.middleware.HtmxMiddleware",
    # A discarded draft's pages lead to the list, which says so.
    "onboarding.cases.middleware.DiscardedCaseMiddleware",
    "onboarding.web.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onboarding.urls"
WSGI_APPLICATION = "onboarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onboarding.accounts.context_processors.staff",
                "onboarding.kyc.context_processors.review_queue",
                "onboarding.notices.context_processors.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, and the statements a connection runs over and over
        # prepared by psycopg from their fifth run (Django turns preparing off unless told), so
        # PostgreSQL plans them once per connection; both off behind a pooler that cannot keep
        # prepared statements.
        _server_side_binding = env_bool("DB_SERVER_SIDE_BINDING", True)
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=_server_side_binding,
            prepare_threshold=5 if _server_side_binding else None,
        )
    # Apart from the URL, so that any character may be in it without URL-encoding it.
    _database_password = env_optional_str("DATABASE_PASSWORD")
    if _database_password:
        DATABASES["default"]["PASSWORD"] = _database_password
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker: Redis in production, files shared by all processes otherwise -------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "onboarding",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": "onboarding",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT = "onboarding.core.broker:Transport"
    # No record in Redis of each task until it is acknowledged (kombu's "ack emulation", two
    # trips to Redis a task, and redelivery after a timeout): the database brings back the
    # work of a task lost with its worker (steps, e-mails, re-screenings: each has its sweep),
    # and a worker that stops cleanly puts what it had not run back in the queue.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"ack_emulation": False}
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcasts (worker control, pings) go here; kombu's default is ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=2)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must exceed CELERY_TASK_SOFT_TIME_LIMIT")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless told to reuse
# it; reconnecting cost 7 ms a task. DB_CONN_MAX_AGE and health checks still retire old ones.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
LOOKUPS_REFRESH_SECONDS = env_int("LOOKUPS_REFRESH_SECONDS", 600, minimum=10)

# --- Submissions ------------------------------------------------------------------------------
SUBMISSION_MAX_ATTEMPTS = env_int("SUBMISSION_MAX_ATTEMPTS", 8, minimum=1)
SUBMISSION_MAX_SECONDS = env_int("SUBMISSION_MAX_SECONDS", 1800, minimum=1)
SUBMISSION_BACKOFF_BASE_SECONDS = env_float("SUBMISSION_BACKOFF_BASE_SECONDS", 2.0, minimum=0.0)
SUBMISSION_BACKOFF_MAX_SECONDS = env_float("SUBMISSION_BACKOFF_MAX_SECONDS", 300.0, minimum=0.0)
# A running step whose worker vanished is taken back after its lease; longer than a task may run.
SUBMISSION_LEASE_SECONDS = env_int(
    "SUBMISSION_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 30, minimum=CELERY_TASK_TIME_LIMIT + 1
)
SUBMISSION_SWEEP_GRACE_SECONDS = env_int("SUBMISSION_SWEEP_GRACE_SECONDS", 60, minimum=1)
SUBMISSION_SWEEP_SECONDS = env_int("SUBMISSION_SWEEP_SECONDS", 30, minimum=1)

CELERY_BEAT_SCHEDULE = {
    "sweep-submission-steps": {
        "task": "onboarding.submissions.tasks.sweep_steps",
        "schedule": float(SUBMISSION_SWEEP_SECONDS),
    },
    "refresh-lookups": {
        "task": "onboarding.lookups.tasks.refresh_all_lookups",
        "schedule": float(LOOKUPS_REFRESH_SECONDS),
    },
    "mail-waiting-reviews": {
        "task": "onboarding.notices.tasks.mail_waiting_reviews",
        "schedule": 60.0,
    },
    "retry-mails": {
        "task": "onboarding.outbox.tasks.retry_mails",
        "schedule": 60.0,
    },
    "resume-rescreenings": {
        "task": "onboarding.kyc.tasks.resume_rescreenings",
        "schedule": 300.0,
    },
    "fail-stalled-list-loads": {
        "task": "onboarding.screening.tasks.fail_stalled_loads",
        "schedule": 600.0,
    },
    "probe-altafid": {
        "task": "onboarding.health.tasks.probe_altafid",
        "schedule": 60.0,
    },
    "erase-expired-cases": {
        "task": "onboarding.operations.tasks.erase_expired_cases",
        "schedule": 24 * 3600.0,
    },
    "forget-expired-sign-ins": {
        "task": "onboarding.accounts.tasks.forget_expired_sign_ins",
        "schedule": 24 * 3600.0,
    },
    "check-alerts": {
        "task": "onboarding.operations.tasks.check_alerts",
        "schedule": 60.0,
    },
    "worker-heartbeat": {
        "task": "onboarding.health.tasks.record_worker_heartbeat",
        "schedule": 60.0,
    },
}

# --- Altafid ----------------------------------------------------------------------------------
ALTAFID_BASE_URL = env_url("ALTAFID_BASE_URL", schemes=("http", "https"))
ALTAFID_USES_SANDBOX = ALTAFID_BASE_URL is None
ALTAFID_SANDBOX_PORT = env_int("ALTAFID_SANDBOX_PORT", sandbox.DEFAULT_PORT, minimum=1)
ALTAFID_TOKEN = env_optional_str("ALTAFID_TOKEN")
ALTAFID_LOGIN_EMAIL = env_optional_str("ALTAFID_LOGIN_EMAIL")
ALTAFID_LOGIN_PASSWORD = env_optional_str("ALTAFID_LOGIN_PASSWORD")
ALTAFID_TENANT_UUID = env_optional_str("ALTAFID_TENANT_UUID")
ALTAFID_USER_EMAIL = env_optional_str("ALTAFID_USER_EMAIL")
ALTAFID_USER_ID = env_optional_str("ALTAFID_USER_ID")
ALTAFID_USER_TYPE = env_str("ALTAFID_USER_TYPE", "TENANT_STAFF")
ALTAFID_CONNECT_TIMEOUT = env_float("ALTAFID_CONNECT_TIMEOUT", 3.0, minimum=0.1)
ALTAFID_READ_TIMEOUT = env_float("ALTAFID_READ_TIMEOUT", 20.0, minimum=0.1)

if ALTAFID_BASE_URL is None and not DEBUG:
    # Never the sandbox with its public credentials by accident.
    raise ImproperlyConfigured(
        "ALTAFID_BASE_URL must be set when DEBUG is false (the sandbox is for development)"
    )
# Clients' data and the service credentials cross this connection: plain HTTP only on a
# private network someone vouched for (docker-compose reaches its sandbox that way).
ALTAFID_ALLOW_HTTP = env_bool("ALTAFID_ALLOW_HTTP", False)
if not DEBUG and urlsplit(ALTAFID_BASE_URL or "").scheme == "http" and not ALTAFID_ALLOW_HTTP:
    raise ImproperlyConfigured(
        "ALTAFID_BASE_URL must start with https:// when DEBUG is false; on a private network "
        "set ALTAFID_ALLOW_HTTP=true to accept http://"
    )
if ALTAFID_BASE_URL is None:
    ALTAFID_BASE_URL = f"http://127.0.0.1:{ALTAFID_SANDBOX_PORT}"
    if ALTAFID_TOKEN is None and ALTAFID_LOGIN_EMAIL is None:
        ALTAFID_LOGIN_EMAIL = sandbox.SERVICE_USER_EMAIL
        ALTAFID_LOGIN_PASSWORD = sandbox.SERVICE_USER_PASSWORD
    ALTAFID_TENANT_UUID = ALTAFID_TENANT_UUID or sandbox.TENANT_UUID
    ALTAFID_USER_EMAIL = ALTAFID_USER_EMAIL or sandbox.SERVICE_USER_EMAIL
    ALTAFID_USER_ID = ALTAFID_USER_ID or sandbox.SERVICE_USER_ID

if ALTAFID_TOKEN is None and not (ALTAFID_LOGIN_EMAIL and ALTAFID_LOGIN_PASSWORD):
    raise ImproperlyConfigured(
        "Set ALTAFID_TOKEN, or both ALTAFID_LOGIN_EMAIL and ALTAFID_LOGIN_PASSWORD"
    )
for _name in ("ALTAFID_TENANT_UUID", "ALTAFID_USER_EMAIL", "ALTAFID_USER_ID"):
    if not globals()[_name]:
        raise ImproperlyConfigured(f"{_name} must be set when ALTAFID_BASE_URL is set")
if ALTAFID_USER_TYPE not in ("TENANT_STAFF", "PARTNER_STAFF", "CONTACT"):
    raise ImproperlyConfigured(
        "ALTAFID_USER_TYPE must be one of TENANT_STAFF, PARTNER_STAFF, CONTACT"
    )

# --- Alerts to a tenant's admins (one e-mail when an incident starts, one when it clears) ---
ALERT_FAILURE_RATE = env_float("ALERT_FAILURE_RATE", 0.25, minimum=0.0)
ALERT_FAILURE_MIN_TRIES = env_int("ALERT_FAILURE_MIN_TRIES", 10, minimum=1)
ALERT_STUCK_MINUTES = env_int("ALERT_STUCK_MINUTES", 60, minimum=1)
ALERT_WORKER_SILENT_SECONDS = env_int("ALERT_WORKER_SILENT_SECONDS", 120, minimum=30)
if ALERT_FAILURE_RATE > 1:
    raise ImproperlyConfigured("ALERT_FAILURE_RATE must be a share between 0 and 1")

# --- Retention ----------------------------------------------------------------------------------
# A case's local KYC values are erased this many days after activation (a daily task).
RETENTION_DAYS = env_int("RETENTION_DAYS", 90, minimum=1)

# --- KYC review -------------------------------------------------------------------------------
# ISO 3166 alpha-3 codes; a citizenship or birth country among them raises a risk flag.
KYC_HIGH_RISK_COUNTRIES = frozenset(
    code.upper() for code in env_list("KYC_HIGH_RISK_COUNTRIES", [])
)
for _code in KYC_HIGH_RISK_COUNTRIES:
    if len(_code) != 3 or not _code.isalpha():
        raise ImproperlyConfigured(
            f"KYC_HIGH_RISK_COUNTRIES must hold ISO alpha-3 codes (e.g. PRK,IRN), got {_code!r}"
        )

# --- Screening lists ---------------------------------------------------------------------------
# The health page raises an alert when a list in use is older than this.
SCREENING_LIST_MAX_AGE_DAYS = env_int("SCREENING_LIST_MAX_AGE_DAYS", 7, minimum=1)
# A load of a million entities takes minutes; its task may run this long.
SCREENING_LOAD_TIME_LIMIT = env_int("SCREENING_LOAD_TIME_LIMIT", 3600, minimum=60)
# A re-screening of every client holds a lease, renewed with each write of its progress; one
# whose worker was lost is sent again by the beat's sweep once it runs out. It must outlast
# the first part, finding the clients to screen again (minutes for 100,000 clients against a
# first version of a million listed people: bench/rescreen.py).
RESCREENING_LEASE_SECONDS = env_int("RESCREENING_LEASE_SECONDS", 3600, minimum=300)

# --- Lookups --------------------------------------------------------------------------------
LOOKUPS_TTL_SECONDS = env_int("LOOKUPS_TTL_SECONDS", 900, minimum=1)

# --- Demo data --------------------------------------------------------------------------------
DEMO_PASSWORD = env_optional_str("DEMO_PASSWORD")

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Locked out after this many failures for one username from one address, for a while: an
# attacker elsewhere cannot lock a person out of their own address. Both login pages count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=2)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login forms name the e-mail field "username", as Django's AuthenticationForm does.
AXES_USERNAME_FORM_FIELD = "username"
# Counted in lower case, as sign-in matches addresses.
AXES_USERNAME_CALLABLE = "onboarding.accounts.services.sign_in_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# E-mails with a link to choose a password, at most this many per clock hour to one address
# and asked from one IP address (counted in the shared cache). A refused reset still answers
# as if sent; an admin is told.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_IP = env_int("PASSWORD_RESET_LIMIT_PER_IP", 10, minimum=1)
INVITATION_LIMIT_PER_ADDRESS = env_int("INVITATION_LIMIT_PER_ADDRESS", 3, minimum=1)
INVITATION_LIMIT_PER_IP = env_int("INVITATION_LIMIT_PER_IP", 50, minimum=1)
# Two-factor sign-in (TOTP, with recovery codes): anyone may enrol; with TWO_FACTOR_REQUIRED
# (on by default in production) admins and compliance officers must before anything else.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
if (
    not DEBUG
    and not TWO_FACTOR_REQUIRED
    and not env_bool("TWO_FACTOR_NOT_REQUIRED_I_ACCEPT_THE_RISK", False)
):
    # A password alone would open every client's KYC data to whoever learns it.
    raise ImproperlyConfigured(
        "TWO_FACTOR_REQUIRED=false when DEBUG is false needs "
        "TWO_FACTOR_NOT_REQUIRED_I_ACCEPT_THE_RISK=true"
    )
OTP_TOTP_ISSUER = "Altafid Onboarding"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
# Signed out after this long without a request, whatever the absolute age above.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# django-axes logs each sign-in (address, IP address, browser); a daily task forgets those older.
SIGN_IN_LOG_DAYS = env_int("SIGN_IN_LOG_DAYS", 365, minimum=1)

# --- Request size -----------------------------------------------------------------------------
# A section's draft as typed, at most (JSON); larger saves are refused with a message.
DRAFT_MAX_BYTES = env_int("DRAFT_MAX_BYTES", 256 * 1024, minimum=16 * 1024)
# No request body needs more than a few drafts' worth; nothing here takes a file.
DATA_UPLOAD_MAX_MEMORY_SIZE = DRAFT_MAX_BYTES * 4
FILE_UPLOAD_HANDLERS = ["onboarding.web.uploads.RefuseUploadsHandler"]

# --- E-mail -----------------------------------------------------------------------------------
# Invitations, password resets, notices and alerts; they name no client. Production sends them
# by SMTP, or nothing at all when told EMAIL_DISABLED (the health page says so): never to the
# console, which would put single-use invitation and reset links in the web log.
EMAIL_HOST = env_optional_str("EMAIL_HOST")
EMAIL_DISABLED = env_bool("EMAIL_DISABLED", False)
if EMAIL_HOST and EMAIL_DISABLED:
    raise ImproperlyConfigured("Set EMAIL_HOST or EMAIL_DISABLED=true, not both")
if EMAIL_DISABLED:
    # Takes every message and drops it, printing nothing.
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DEBUG is false (or EMAIL_DISABLED=true to send no e-mail)"
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "onboarding@localhost")
# Where the app is reached, for the links in e-mails sent without a request (notices).
SITE_URL = env_url("SITE_URL", schemes=("http", "https")) or "http://127.0.0.1:8000"
# An officer gets at most one "waiting for review" e-mail per this many seconds.
NOTICES_BATCH_SECONDS = env_int("NOTICES_BATCH_SECONDS", 15 * 60, minimum=60)
# How long an invitation link works (Django's password-reset tokens).
PASSWORD_RESET_TIMEOUT = env_int("INVITATION_VALID_SECONDS", 3 * 24 * 3600, minimum=3600)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
FORMAT_MODULE_PATH = ["onboarding.formats"]
LOCALE_PATHS = [BASE_DIR / "onboarding" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# Documents on cases: their bytes are encrypted before they reach this storage (any backend of
# Django's storage API: a volume, or S3-compatible storage through django-storages).
DOCUMENTS_DIR = Path(env_str("DOCUMENTS_DIR", str(DATA_DIR / "documents")))
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
DOCUMENT_MAX_PAGES = env_int("DOCUMENT_MAX_PAGES", 20, minimum=1)
DOCUMENT_MAX_PIXELS = env_int("DOCUMENT_MAX_PIXELS", 40_000_000, minimum=1_000_000)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_DIR), "directory_permissions_mode": 0o700},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production) --------------------------------------------------------------------
# The TLS proxy's addresses, as gunicorn reads them (gunicorn.conf.py): the only peers whose
# X-Forwarded-For names the client (`web.middleware.ForwardedForMiddleware`).
TRUSTED_PROXIES = env_networks("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's health probe speaks plain HTTP from inside (onboarding/web/healthprobe.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from any peer. gunicorn
    # believes it only from the TLS proxy (forwarded_allow_ips in gunicorn.conf.py) and says so
    # in wsgi.url_scheme, which is what request.is_secure() reads.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Host-only, secure, path "/": no subdomain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging ----------------------------------------------------------------------------------
# One JSON object a line in production (LOG_FORMAT=plain for people reading a terminal), and
# personal data redacted in every record whatever the format.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "onboarding.web.logging.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "onboarding.web.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
