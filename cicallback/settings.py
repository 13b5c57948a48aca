"""Settings, read from the environment.

Defaults suit a laptop (SQLite, DEBUG on). Production sets DJANGO_DEBUG=false and must then
provide a secret key and callback tokens: starting without them is an error that says what to set.
"""

import ipaddress
import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str = "") -> list[str]:
    """IP addresses or CIDR networks, checked at startup rather than on the first request."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {network!r} is not an IP address or network") from None
    return networks


def env_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as "2000/hour"; "off" turns the throttle off."""
    raw = (env_str(name) or default).lower()
    if raw == "off":
        return None
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", raw):
        raise ImproperlyConfigured(f'{name} must be a rate like "2000/hour" (per second, minute, hour or day) or "off"')
    return raw


def env_required(name: str, dev_default: str, hint: str) -> str:
    """A value production must set; a development default stands in only while DEBUG is on."""
    value = env_str(name)
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} is not set. {hint} (it may be omitted only with DJANGO_DEBUG=true)")


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_required(
    "DJANGO_SECRET_KEY",
    "django-insecure-local-development-only",
    'Set it to a long random string, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"',
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set. List the host names the service answers to.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cicallback",
    "dashboard",
]

MIDDLEWARE = [
    "cicallback.metrics.latency_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cicallback.urls"
WSGI_APPLICATION = "cicallback.wsgi.application"

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
    {
        # Only the rows of the job lists: see dashboard/rows.py.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "dashboard.rows.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL (raw bodies are not escaped into the statement text),
    # and statements run often are prepared once per connection.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "cicallback.sqlite"
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue up instead
    # of one failing with "database is locked" when it upgrades a read lock. FULL syncs the WAL on
    # every commit: a callback answered 200 survives a power cut, not only a crash of the server.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    # A file, not memory, so tests see the locking that concurrent writers meet in real use; one
    # per test process, so two test runs from one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"cicallback-test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request is then answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["dashboard.throttling.SharedUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_rate("CICALLBACK_API_THROTTLE_USER", "2000/hour")},
    "DEFAULT_SCHEMA_CLASS": "dashboard.api.ApiSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cicallback API",
    "DESCRIPTION": "The job history of Tencent Cloud Infinite callbacks, read-only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Behind a reverse proxy that terminates HTTPS ---------------------------------------------
if env_bool("DJANGO_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The health check and metrics are probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Preloading binds a whole domain to HTTPS for years: the domain owner's call, not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Callbacks ---------------------------------------------------------------------------------
CICALLBACK_TOKENS = env_list("CICALLBACK_TOKENS")
if not CICALLBACK_TOKENS and env_str("CICALLBACK_TOKENS"):
    raise ImproperlyConfigured("CICALLBACK_TOKENS holds no token, only commas")
CICALLBACK_TOKENS = CICALLBACK_TOKENS or [
    env_required(
        "CICALLBACK_TOKENS",
        "local-development-token",
        "Set it to one or more comma-separated random tokens; each makes a callback URL /callback/<token>/",
    )
]
for _token in CICALLBACK_TOKENS:
    # A token is a path segment of the URL CI posts to: "/", "?" or "#" would make a URL that
    # never reaches the view, and a short one can be guessed.
    if not re.fullmatch(r"[A-Za-z0-9._~-]+", _token):
        raise ImproperlyConfigured(f"CICALLBACK_TOKENS: {_token!r} may hold only letters, digits and . _ ~ -")
    if not DEBUG and len(_token) < 16:
        raise ImproperlyConfigured("CICALLBACK_TOKENS: each token must be at least 16 characters long")
CICALLBACK_MAX_BODY_BYTES = env_int("CICALLBACK_MAX_BODY_BYTES", 1024 * 1024, minimum=1)
# Django refuses bodies over this before our own, clearer limit could answer 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2621440, CICALLBACK_MAX_BODY_BYTES)
# Addresses of reverse proxies whose X-Forwarded-For is believed (IPs or CIDR networks).
CICALLBACK_TRUSTED_PROXIES = env_networks("CICALLBACK_TRUSTED_PROXIES")

# /metrics answers a bearer token when one is set, otherwise only these addresses.
CICALLBACK_METRICS_TOKEN = env_str("CICALLBACK_METRICS_TOKEN")
CICALLBACK_METRICS_ALLOWED_IPS = env_networks("CICALLBACK_METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "cicallback.logs.RedactCallbackTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own console handler, which would print request paths, tokens included.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
