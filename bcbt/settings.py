"""Settings for bcbt, read from the environment, top to bottom in the order they apply.

Every value a deployment changes comes from an environment variable (see the README's
configuration table). The defaults give the embedded set-up of ``make run``: SQLite under
``var/`` and Celery on a filesystem broker, with no external server. The test suite runs with
``bcbt.settings_test``, which imports this module and changes only what tests need; nothing
here asks whether it is running under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

from operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- The deployment: debug, secret, host names ---------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A production deployment must set its own secret key: we refuse to start without one rather
# than run with a guessable default.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, or set DJANGO_DEBUG=1 "
            "for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-000000000000"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Links in messages are absolute: the address patients reach the site on. Production refuses
# to start without an https one, or every link in every email would point somewhere wrong.
BCBT_BASE_URL = env.str("BCBT_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
if not DEBUG and not BCBT_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        f"BCBT_BASE_URL must be the https address patients use (e.g. https://bcbt.example.org) "
        f"when DJANGO_DEBUG is off; it is {BCBT_BASE_URL or 'not set'}."
    )
# The name shown in the header of every page.
BCBT_SERVICE_NAME = env.str("BCBT_SERVICE_NAME", default="bcbt: online CBT with your therapist")
# Named in the privacy notice, the accessibility statement and the cookie page (bcbt/about.py):
# the organisation responsible for patients' data, its data protection officer, and how a
# patient reaches the service (a phone number or email address, as the service prefers).
BCBT_DATA_CONTROLLER = env.str(
    "BCBT_DATA_CONTROLLER",
    default="the NHS organisation that provides your Talking Therapies service",
)
BCBT_DPO_EMAIL = env.str("BCBT_DPO_EMAIL", default="")
BCBT_SERVICE_CONTACT = env.str("BCBT_SERVICE_CONTACT", default="")
# A service's own free-text safety phrases (YAML, the shape of safety/phrases/v1.yaml), added to
# the built-in list; empty for none.
BCBT_SAFETY_PHRASES_FILE = env.str("BCBT_SAFETY_PHRASES_FILE", default="")

# --- Applications and the request pipeline ------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "simple_history",
    "accounts",
    "care",
    "modules",
    "moodlog",
    "measures",
    "notifications",
    "safety",
    "clinician",
    "patients",
    "operations",
    "exports",
    "console",
    "treatment",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (operations/middleware.py).
    "operations.middleware.RequestIdMiddleware",
    # Outermost, so a request stuck on a frozen database anywhere below still gets an answer.
    "bcbt.request_deadline.request_deadline_middleware",
    # A database that cannot be reached gives "try again" (503), not a server error, wherever
    # below the query failed (bcbt/database_errors.py).
    "bcbt.database_errors.database_unavailable_middleware",
    # /healthz answers before host checks and the https redirect, so the container's probe
    # passes whatever DJANGO_ALLOWED_HOSTS says.
    "operations.middleware.HealthzMiddleware",
    # API calls with a device token leave here for TOKEN_API_MIDDLEWARE below: they need no
    # session, messages, CSRF, allauth or axes (accounts/token_api.py says why).
    "accounts.token_api.TokenApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost after SecurityMiddleware, so the headers land on every answer, errors included.
    "bcbt.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML pages are gzipped; bcbt/compression.py says why only HTML, and why BREACH is not a
    # risk for them (the CSRF token is masked per response, the gzip output padded at random).
    "bcbt.compression.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Session limits run before the login-required check, so an ended session goes straight to
    # the sign-in page.
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    # The staff two-step check runs once we know who is signed in.
    "accounts.middleware.StaffMfaMiddleware",
    # Axes goes last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# The chain for API requests with "Authorization: Token" (not the sign-in endpoints).
TOKEN_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # no-store and Permissions-Policy on API answers too.
    "bcbt.middleware.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bcbt.urls"
WSGI_APPLICATION = "bcbt.wsgi.application"

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
                "accounts.context_processors.navigation",
                "console.context_processors.console_sections",
            ],
        },
    },
]

# --- Timeouts: no request waits on a frozen dependency ----------------------------------------

# A frozen PostgreSQL or Redis still accepts connections (the kernel answers) and then never
# replies, so every client needs its own bound (issue #16; docs/operations.md). The request
# deadline (bcbt/request_deadline.py) sits above the others and below gunicorn's --timeout
# (10 s), so a request answers with a "try again" page instead of dying with its worker.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=2)
# Per statement. The web default; the Celery worker, beat and migrations set a longer one (or
# 0, no limit) in their environment (docker-compose.yml).
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=3000)
DATABASE_TIMEOUT_OPTIONS: dict[str, object] = {
    "connect_timeout": DATABASE_CONNECT_TIMEOUT,
    "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
}
REDIS_SOCKET_OPTIONS: dict[str, float] = {"socket_connect_timeout": 1, "socket_timeout": 1}
# After a cache call fails, the cache is skipped for this long (accounts/cache.py), so one page
# pays for a frozen Redis once, not once per cache call.
BCBT_CACHE_RETRY_SECONDS = env.float("BCBT_CACHE_RETRY_SECONDS", default=10.0)
BCBT_REQUEST_DEADLINE_SECONDS = env.float("BCBT_REQUEST_DEADLINE_SECONDS", default=3.5)
# The broker carries only "go and look at the database" messages; the web never waits on it.
BROKER_SOCKET_OPTIONS: dict[str, float] = {"socket_connect_timeout": 2, "socket_timeout": 5}

# --- Data: database and cache -------------------------------------------------------------

# PostgreSQL through DATABASE_URL in production and CI, SQLite under var/ otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bcbt.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections are worth several times the throughput of connecting per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(DATABASE_TIMEOUT_OPTIONS)
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # SQLite waits for a lock instead of failing at once when the worker writes at the same time.
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            # Sign-in keeps working while Redis is down (see accounts/cache.py).
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_SOCKET_OPTIONS,
            "KEY_PREFIX": "bcbt",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bcbt"}
    )
}
# How often beat rebuilds the need order of a service whose whole-service view is open; open risk
# flags are read live on every page (clinician/service_view.py).
CASELOAD_ORDER_CACHE_SECONDS = env.int("CASELOAD_ORDER_CACHE_SECONDS", default=60)

# --- Who you are: users, passwords, sign-in -----------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: sign in by username or email, or by an emailed code; no open sign-up (services
# register patients).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "accounts.forms.ConfirmLoginCodeForm",
}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {"login_failed": False}  # Lockout is django-axes' job, one place only.
ACCOUNT_EMAIL_SUBJECT_PREFIX = "bcbt: "
# Changing the email address: the password again, the new address verified by a link before
# it replaces the old one, and the old address told (accounts/email_page.py). Sign-in mail
# never goes to an unknown address (the page answers the same either way).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False

# Staff two-step verification (TOTP with recovery codes): on outside debug.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "bcbt"
BCBT_REQUIRE_STAFF_MFA = env.bool("BCBT_REQUIRE_STAFF_MFA", default=not DEBUG)
# Wrong codes per account (web form and token request together) before codes pause for
# AXES_COOLOFF_MINUTES.
BCBT_SECOND_FACTOR_FAILURE_LIMIT = env.int("BCBT_SECOND_FACTOR_FAILURE_LIMIT", default=5)
MFA_FORMS = {
    "authenticate": "accounts.forms.SecondFactorAuthenticateForm",
    "reauthenticate": "accounts.forms.SecondFactorReauthenticateForm",
}

# Lockout by username and IP together: a wrong password on one account never locks out another
# person on the same network (a GP surgery, a family home). It always cools off.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page promises the time the pause ends; trying again during the pause must not
# push that time back, or a worried person who keeps trying is never let in.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# How many proxies stand in front of gunicorn (a TLS proxy: 1). Lockout, rate limits and the
# audit trail take the client address from X-Forwarded-For accordingly (one function:
# accounts/client_address.py); with 0 it is REMOTE_ADDR. AXES_PROXY_COUNT is the deprecated
# name, still read when the new one is unset.
BCBT_TRUSTED_PROXY_HOPS = env.int(
    "BCBT_TRUSTED_PROXY_HOPS", default=env.int("AXES_PROXY_COUNT", default=0)
)
if BCBT_TRUSTED_PROXY_HOPS < 0:
    raise ImproperlyConfigured("BCBT_TRUSTED_PROXY_HOPS must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_VERBOSE = False

# Every session ends this many hours after sign-in; staff sessions also end when idle.
SESSION_COOKIE_AGE = 12 * 60 * 60
BCBT_SESSION_MAX_HOURS = env.int("BCBT_SESSION_MAX_HOURS", default=12)
BCBT_STAFF_IDLE_MINUTES = env.int("BCBT_STAFF_IDLE_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The mobile app's access token works for this many minutes; the app then gets a new one with
# its refresh token, which works for BCBT_TOKEN_LIFETIME_DAYS from the last refresh.
BCBT_ACCESS_TOKEN_LIFETIME_MINUTES = env.int("BCBT_ACCESS_TOKEN_LIFETIME_MINUTES", default=60)
BCBT_TOKEN_LIFETIME_DAYS = env.int("BCBT_TOKEN_LIFETIME_DAYS", default=30)
# A sign-in link a navigator sends works once, for this long.
BCBT_SIGN_IN_LINK_MINUTES = env.int("BCBT_SIGN_IN_LINK_MINUTES", default=60)
# The sign-in link in a new patient's welcome email works once, for this many days.
BCBT_WELCOME_LINK_DAYS = env.int("BCBT_WELCOME_LINK_DAYS", default=7)
# The support queue lists patients with no activity for this many days.
BCBT_NAVIGATOR_INACTIVE_DAYS = env.int("BCBT_NAVIGATOR_INACTIVE_DAYS", default=7)
# "Having trouble signing in?" requests allowed per hour, from one address and for one contact.
BCBT_SUPPORT_LIMIT_PER_IP = env.int("BCBT_SUPPORT_LIMIT_PER_IP", default=5)
BCBT_SUPPORT_LIMIT_PER_CONTACT = env.int("BCBT_SUPPORT_LIMIT_PER_CONTACT", default=3)
# Sign-in emails (codes, reset links, navigator's sign-in links) per hour, to one address and
# from one client address (accounts/sign_in_mail.py).
BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS = env.int("BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS", default=5)
BCBT_SIGN_IN_MAIL_LIMIT_PER_IP = env.int("BCBT_SIGN_IN_MAIL_LIMIT_PER_IP", default=20)
# seed_demo runs only in development (the test settings switch it on for the suite).
BCBT_SEED_DEMO_ALLOWED = DEBUG
BCBT_DEMO_PASSWORD = env.str("BCBT_DEMO_PASSWORD", default="demo-password-2026")

# --- HTTPS and browser security (production) ----------------------------------------------

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Enforced, not report-only: scripts run only from our own origin or with the per-request nonce
# (the base template's two inline scripts and Swagger UI's set-up), never as inline injections.
# Images allow data: URIs for the two-step verification QR code and Swagger UI's icons.
_CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [],
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF, CSP_NONCE],
        "style-src": [_CSP_SELF, CSP_NONCE],
        "img-src": [_CSP_SELF, "data:"],
        # Fonts only from bcbt: the NHS.UK stylesheet is rewritten not to ask for Frutiger
        # from the NHS asset server (bcbt/frontend_assets.py).
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],
        "object-src": ["'none'"],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features bcbt never uses are switched off for it and anything it might embed.
BCBT_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)

# --- Language, time, static files ---------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
]
# The NHS.UK design system is served under static/nhsuk/ by its own finder, which rewrites its
# stylesheet so that icons come from beside it and no font comes from another origin
# (bcbt/frontend_assets.py); the rewritten stylesheet is built into BCBT_FRONTEND_BUILD_DIR.
BCBT_NHSUK_FRONTEND_DIR = NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"
BCBT_FRONTEND_BUILD_DIR = VAR_DIR / "frontend"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "bcbt.frontend_assets.NhsukFrontendFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Sending: email, GOV.UK Notify, notification limits -----------------------------------

# Email: console in development, the file backend when EMAIL_FILE_PATH is set, SMTP otherwise.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds before an SMTP connect or reply is given up on: a server that takes the message and
# never answers must not hold a dispatcher and its claimed rows.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bcbt <no-reply@bcbt.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# GOV.UK Notify (SMS and email when the key is set). Each template is "((subject))" /
# "((body))" for email and "((body))" for text messages.
GOVUK_NOTIFY_API_KEY = env.str("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_EMAIL_TEMPLATE_ID = env.str("GOVUK_NOTIFY_EMAIL_TEMPLATE_ID", default="")
GOVUK_NOTIFY_SMS_TEMPLATE_ID = env.str("GOVUK_NOTIFY_SMS_TEMPLATE_ID", default="")
GOVUK_NOTIFY_TIMEOUT = env.float("GOVUK_NOTIFY_TIMEOUT", default=10.0)
# Only the benchmark's local fake provider changes this.
GOVUK_NOTIFY_BASE_URL = env.str(
    "GOVUK_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
)
# Half a Notify set-up would silently send nothing through Notify (a key without templates) or
# fail every send (templates without a key): refuse it at start-up instead.
_NOTIFY_TEMPLATES = GOVUK_NOTIFY_EMAIL_TEMPLATE_ID or GOVUK_NOTIFY_SMS_TEMPLATE_ID
if bool(GOVUK_NOTIFY_API_KEY) != bool(_NOTIFY_TEMPLATES):
    raise ImproperlyConfigured(
        "GOV.UK Notify is half set up: set GOVUK_NOTIFY_API_KEY together with "
        "GOVUK_NOTIFY_EMAIL_TEMPLATE_ID and/or GOVUK_NOTIFY_SMS_TEMPLATE_ID, or none of them."
    )

# Web Push (VAPID). The public key goes to the browser that subscribes; the private key signs each
# push; the subject is how a push service contacts us (mailto: or https:). `python manage.py
# vapid_keys` prints a new pair. With none set, push is not offered; half a set-up is refused.
BCBT_VAPID_PUBLIC_KEY = env.str("BCBT_VAPID_PUBLIC_KEY", default="")
BCBT_VAPID_PRIVATE_KEY = env.str("BCBT_VAPID_PRIVATE_KEY", default="")
BCBT_VAPID_SUBJECT = env.str("BCBT_VAPID_SUBJECT", default="")
BCBT_PUSH_TIMEOUT = env.float("BCBT_PUSH_TIMEOUT", default=10.0)
# The push services a browser's subscription may point at (a host or a parent domain): bcbt's
# workers post to that address, so a made-up one inside the network is refused.
BCBT_PUSH_SERVICE_HOSTS = env.list(
    "BCBT_PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
_VAPID = (BCBT_VAPID_PUBLIC_KEY, BCBT_VAPID_PRIVATE_KEY, BCBT_VAPID_SUBJECT)
if any(_VAPID) and not all(_VAPID):
    raise ImproperlyConfigured(
        "Web Push is half set up: set BCBT_VAPID_PUBLIC_KEY, BCBT_VAPID_PRIVATE_KEY and "
        "BCBT_VAPID_SUBJECT together, or none of them."
    )
if BCBT_VAPID_SUBJECT and not BCBT_VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("BCBT_VAPID_SUBJECT must start with mailto: or https://.")

# Messages per second per channel, shared by every worker (0 = no limit).
NOTIFICATIONS_SEND_RATES: dict[str, float] = {
    "email": env.float("NOTIFICATIONS_EMAIL_PER_SECOND", default=20.0),
    "sms": env.float("NOTIFICATIONS_SMS_PER_SECOND", default=10.0),
    "in_app": 0.0,
}
NOTIFICATIONS_RATE_MAX_WAIT_SECONDS = 5.0
NOTIFICATIONS_SWEEP_BATCH_SIZE = env.int("NOTIFICATIONS_SWEEP_BATCH_SIZE", default=1000)
NOTIFICATIONS_DISPATCH_BATCH = 200
NOTIFICATIONS_DISPATCH_TIME_BUDGET = 50.0
NOTIFICATIONS_DISPATCH_PARALLEL = 4
# Rows one dispatcher claims at once, and the threads that send them side by side.
NOTIFICATIONS_CLAIM_BATCH = env.int("NOTIFICATIONS_CLAIM_BATCH", default=50)
NOTIFICATIONS_SEND_THREADS = env.int("NOTIFICATIONS_SEND_THREADS", default=8)
# A claim older than this belongs to a dispatcher that died; it is at least the task's hard time
# limit, so a live task never loses its rows to another.
NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS = env.float(
    "NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", default=300.0
)
NOTIFICATIONS_MAX_ATTEMPTS = 5
NOTIFICATIONS_RETRY_BASE_SECONDS = 60
NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
# Sent, withdrawn and dead outbox rows are deleted this many days after they were created (at
# least 30: the navigator's queue looks back 30 days for messages not getting through).
BCBT_NOTIFICATION_RETENTION_DAYS = env.int("BCBT_NOTIFICATION_RETENTION_DAYS", default=90)
if BCBT_NOTIFICATION_RETENTION_DAYS < 30:
    raise ImproperlyConfigured("BCBT_NOTIFICATION_RETENTION_DAYS must be 30 or more.")

# --- Background work: Celery and its schedule ---------------------------------------------

# The broker only carries "go and look at the database" messages; everything clinical is
# committed in the database first. Without a broker URL, make run uses the filesystem broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": 3600,
    **BROKER_SOCKET_OPTIONS,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Risk flags not reviewed within the service's window move to the duty queue. The sweep is
    # cheap (an indexed query) and idempotent, so it runs every five minutes.
    "safety-escalate-overdue-risk-flags": {
        "task": "safety.tasks.risk_flags_escalate",
        "schedule": env.float("BCBT_RISK_ESCALATION_SWEEP_SECONDS", default=300.0),
    },
    # The need order of each service whose whole-service view is open (clinician/service_view.py).
    "clinician-service-orders-refresh": {
        "task": "clinician.service_orders_refresh",
        "schedule": float(CASELOAD_ORDER_CACHE_SECONDS),
        "options": {"expires": CASELOAD_ORDER_CACHE_SECONDS * 0.9},
    },
    "notifications-sweep": {
        "task": "notifications.sweep",
        "schedule": 60.0,
        # A sweep that waited more than a minute is replaced by the next one.
        "options": {"expires": 55},
    },
    # Housekeeping (operations/housekeeping.py): each deletes in batches and is idempotent.
    "operations-clear-expired-sessions": {
        "task": "operations.clear_expired_sessions",
        "schedule": 3600.0,
    },
    "operations-prune-sign-in-links": {
        "task": "operations.prune_sign_in_links",
        "schedule": 3600.0,
    },
    "operations-prune-stale-drafts": {
        "task": "operations.prune_stale_drafts",
        "schedule": 6 * 3600.0,
    },
    "operations-prune-idempotency-records": {
        "task": "operations.prune_idempotency_records",
        "schedule": 6 * 3600.0,
    },
    "operations-prune-finished-notifications": {
        "task": "operations.prune_finished_notifications",
        "schedule": 6 * 3600.0,
    },
}

# --- The API ------------------------------------------------------------------------------

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.DeviceTokenAuthentication",
        # DRF's session authentication, refusing staff sessions without the second factor.
        "accounts.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "bcbt.api_errors.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "bcbt.api_errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        # Per user. A person rates once a day; an app catching up after being offline may send
        # the last 15 days at once and retry some of them.
        "mood_write": env.str("BCBT_MOOD_WRITE_RATE", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bcbt API",
    "DESCRIPTION": "The bcbt REST API for the mobile app: mood ratings, questionnaires, modules.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logs and metrics ---------------------------------------------------------------------

# One JSON object a line in production, each with its request id; no query strings or form data.
LOGGING = logging_config(structured=not DEBUG, level=env.str("DJANGO_LOG_LEVEL", default="INFO"))
# /metrics answers only with "Authorization: Bearer <this>"; unset, it is off (404).
BCBT_METRICS_TOKEN = env.str("BCBT_METRICS_TOKEN", default="")
# Optional error reporting (operations/error_reporting.py): off unless a DSN is set; every event
# is scrubbed of anything about a patient before it leaves.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from operations.error_reporting import error_reporting_start

    error_reporting_start(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("BCBT_RELEASE", default=""),
    )
