"""Settings for every environment, read from environment variables.

Profiles (``DJANGO_ENV``):
- ``development`` (default): SQLite file unless ``DATABASE_URL`` is set,
  Celery tasks inline unless ``CELERY_BROKER_URL`` is set.
- ``test``: what the test suite uses (fast hasher, in-memory mail).
- ``production``: secrets required, secure cookies, HSTS, SSL redirect.

Any variable ``NAME`` can also be given as ``NAME_FILE`` (a path whose
content is the value), for container secrets.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _from_file(name: str) -> None:
    """Let NAME_FILE supply NAME (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path and name not in os.environ:
        os.environ[name] = Path(path).read_text(encoding="utf-8").strip()


for _secret in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"):
    _from_file(_secret)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise environ.ImproperlyConfigured(f"Unknown DJANGO_ENV {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-not-for-production-use-0123456789")

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The journal's address as users open it: printed documents carry links (the QR code of a bound journal's
# check) made without a request. Default: the first trusted origin, else the first allowed host.
SITE_URL = env.str(
    "SITE_URL",
    default=(CSRF_TRUSTED_ORIGINS or [f"{'https' if PRODUCTION else 'http'}://{(ALLOWED_HOSTS or ['localhost'])[0]}"])[
        0
    ],
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "bootstrap",
    "core",
    "accounts",
    "journal",
    "reports",
    "diary",
    "messaging",
    "monitoring",
    # The demo school and the benchmarks: only their management commands use it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages on the wire compressed (a quarter's grid 31 KB → 5 KB); Django pads each answer at random
    # against BREACH. Before any middleware that reads or writes the body, after the security headers.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (TOTP or a recovery code) this session.
    "django_otp.middleware.OTPMiddleware",
    # request.school, and the user's roles of that school: every later check reads them.
    "journal.middleware.CurrentSchoolMiddleware",
    # Russian unless the user (or, before signing in, this browser) chose English; never Accept-Language.
    "accounts.middleware.LanguageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    # One row a user a day for the monitoring (§4.1, §4.5); at most one query, on the day's first request.
    "monitoring.activity.ActivityMiddleware",
    # Lets history rows record who changed a mark, and from which IP.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as its documentation asks: it reacts to the response of the login view.
    "axes.middleware.AxesMiddleware",
]

# BENCH_VIEWS=1 (a benchmark run only): the URLs also route the bare ceilings the benchmarks compare with.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)
if BENCH_VIEWS and PRODUCTION:
    raise environ.ImproperlyConfigured("BENCH_VIEWS is for benchmark runs, not production")
ROOT_URLCONF = "demo.bench_urls" if BENCH_VIEWS else "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.navigation.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# No DATABASE_URL: a SQLite file, the zero-setup run. Code stays portable.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Persistent connections with health checks (measured +58 % throughput).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # psycopg 3 binds parameters on the server, so PostgreSQL keeps the plan of a query run often on the
    # same connection (prepared after 5 runs): the journal's queries carry EXISTS subqueries for rights and
    # rules whose planning cost more than their execution.
    # Django turns psycopg's prepared statements off by default (for connection poolers, which a
    # deployment with PgBouncer in transaction mode would set PREPARE_THRESHOLD=0 for).
    _prepare = env.int("PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": _prepare or None}
    )
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The zero-setup run serves requests in threads: the grid's saves of a column arrive together. Each
    # transaction takes SQLite's write lock as it begins and waits for it (up to 20 s), instead of failing
    # with «database is locked» when a read in it turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    if TESTING:
        # The suite's SQLite run (scripts/test.sh): a file beside the named one (pytest-xdist's workers add
        # their suffix), so the live server's threads open connections of their own, as runserver's do.
        DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test"}
        # A throw-away database: no wait for the disk at each commit and each test's flush.
        DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Russian common passwords, too few different characters, the user's and the school's names, and fewer than
    # 10^10 guesses by zxcvbn's estimate taught Russian (keyboard walks, names, a school's words).
    {"NAME": "accounts.password_validation.RussianCommonPasswordValidator"},
    {"NAME": "accounts.password_validation.VarietyValidator"},
    {"NAME": "accounts.password_validation.PersonalWordsValidator"},
    {"NAME": "accounts.password_validation.GuessesValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database: a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Staff sessions end after this many minutes without a request; families' when the browser closes or after
# FAMILY_IDLE_MINUTES without a request, whichever comes first (accounts.middleware.session_policy).
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=30)
FAMILY_IDLE_MINUTES = env.int("FAMILY_IDLE_MINUTES", default=120)

# Login throttling keyed on username + IP: one school sits behind one NAT, so
# an IP-only lock would lock the whole school out. The cool-off is finite.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures count against the login as sign-in finds it (lower case, trimmed), not as typed: otherwise each
# spelling of a login (TEACHER, Teacher, …) would get its own five guesses.
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_login"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Every sign-in (AccessLog) and failed attempt (AccessFailureLog) is kept: the user's and the administrator's
# login history, and the Act of a compromised login, read them (accounts.selectors.logins).
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# A second factor (TOTP, with recovery codes; django-otp) for the administration, who read and change the
# whole school (§3.2): required in production; off by default on a developer's machine and the demo, where
# MFA_REQUIRED=1 turns it on. Teachers and everyone else may set it up on «Двухфакторный вход».
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=PRODUCTION)
MFA_REQUIRED_ROLES = ("administrator", "director", "deputy")
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Электронный журнал")
# Behind a reverse proxy every client would otherwise share the proxy's
# address: name how many proxies stand in front so the client IP is read from
# X-Forwarded-For (only trust a header your own proxy sets).
# django-ipware reads it: each proxy appends the address it saw, so the client is the entry our first proxy
# appended; a request whose X-Forwarded-For has more entries (a forged one) is keyed on the proxy's
# address instead, never on the address it claims.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1  # ipware counts the proxies listed after the client
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# django-guardian: no anonymous user object; object permissions checked
# through the direct foreign-key models declared in journal.models.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are stored outside the web root and served only through views that
# check permissions; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, static files come straight from the apps and packages
# (no collectstatic needed for the zero-setup run or the tests).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Celery -------------------------------------------------------------------
# No broker configured: tasks run inline (eager), the zero-setup run.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The queue tasks are sent to and the worker reads (a benchmark's or a test's worker has its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_ACKS_LATE = True
# A document's run writes a heartbeat this often; one silent for DOCUMENT_STALE_SECONDS is taken over by
# the beat's recovery job (a killed worker's claim: within the stale time and the beat's minute).
DOCUMENT_HEARTBEAT_SECONDS = env.int("DOCUMENT_HEARTBEAT_SECONDS", default=20)
DOCUMENT_STALE_SECONDS = env.int("DOCUMENT_STALE_SECONDS", default=90)
# The processes laying out one long PDF's chunks at once (core/pdf.py); 0: one a core this process may use.
PDF_PROCESSES = env.int("PDF_PROCESSES", default=0)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues a job (a notification's e-mail, a document) waits for the broker about a second
# at most: a mark saved is answered saved whatever the broker does; the rows are the outbox.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# --- Mail ---------------------------------------------------------------------
if TESTING:
    # A worker a test starts writes its letters as files the test reads (TEST_EMAIL_DIR); tests alone.
    _test_mail_dir = env.str("TEST_EMAIL_DIR", default="")
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if _test_mail_dir:
        EMAIL_BACKEND, EMAIL_FILE_PATH = "django.core.mail.backends.filebased.EmailBackend", _test_mail_dir
else:
    _email = env.email_url("EMAIL_URL", default="consolemail://")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="journal@localhost")

# --- Security -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every rendering step at INFO; only its warnings (a
    # refused URL, a missing font) matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # subsetting the bundled fonts, step by step
    },
}

# --- Weekly paper printouts (§1.10, §8.3) ----------------------------------------
# When celery beat makes the week's printouts of every class: a weekday (monday … sunday) and HH:MM.
WEEKLY_PRINTOUT_DAY = env.str("WEEKLY_PRINTOUT_DAY", default="saturday").strip().lower()
WEEKLY_PRINTOUT_TIME = env.str("WEEKLY_PRINTOUT_TIME", default="10:00").strip()
try:
    _printout_hour, _printout_minute = (int(part) for part in WEEKLY_PRINTOUT_TIME.split(":"))
    crontab(day_of_week=WEEKLY_PRINTOUT_DAY, hour=_printout_hour, minute=_printout_minute)
except ValueError as _error:
    raise environ.ImproperlyConfigured(
        f"WEEKLY_PRINTOUT_DAY/WEEKLY_PRINTOUT_TIME: {WEEKLY_PRINTOUT_DAY!r} {WEEKLY_PRINTOUT_TIME!r} ({_error})"
    ) from None

# --- Periodic jobs (celery beat) ------------------------------------------------
CELERY_BEAT_SCHEDULE = {
    "refresh-object-permissions": {
        "task": "journal.refresh_object_permissions",
        # Just after midnight: assignments that start or end today take effect.
        "schedule": crontab(hour=0, minute=5),
    },
    "reports-weekly-printouts": {
        "task": "reports.request_weekly_printouts",
        "schedule": crontab(day_of_week=WEEKLY_PRINTOUT_DAY, hour=_printout_hour, minute=_printout_minute),
    },
    "reports-recover-documents": {
        "task": "reports.recover_documents",
        # Documents whose message was lost (broker down) or whose run stopped beating (a killed worker) are
        # enqueued again: a dead run is taken over within about two minutes.
        "schedule": crontab(minute="*"),
    },
    "core-worker-heartbeat": {
        "task": "core.worker_heartbeat",
        # /health/ says the worker is down when this has not run for three minutes.
        "schedule": crontab(minute="*"),
    },
    "monitoring-final-marks-reminders": {
        "task": "monitoring.remind_final_marks",
        # Morning: a teacher with period marks due within three days is told once a course.
        "schedule": crontab(hour=7, minute=30),
    },
    "messaging-pending-emails": {
        "task": "messaging.send_pending_emails",
        # The outbox: e-mails whose message was lost (broker down) leave once it is back.
        "schedule": crontab(minute="*/5"),
    },
    "messaging-daily-digest": {
        "task": "messaging.send_daily_digests",
        # Evening: the day's marks and absences are in; one letter per parent on the digest.
        "schedule": crontab(hour=18, minute=0),
    },
}
