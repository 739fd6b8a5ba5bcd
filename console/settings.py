"""Django settings, read from the environment.

DATABASE_URL   Django's own database (metadata); default: SQLite file db.sqlite3 in the project folder.
ADMIN_SECRET   when set, metadata and admin-role requests must carry it in X-Hasura-Admin-Secret;
               when unset the server runs in open development mode.
DEBUG          "1"/"true" to enable Django's debug mode.
OUTBOUND_ALLOWED_HOSTS  comma-separated hosts that handlers and remote schemas may live on.
ALLOWED_HOSTS  comma-separated host names.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean flag from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "joinery-development-key-change-me-in-production")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
ADMIN_SECRET = os.environ.get("ADMIN_SECRET") or None


def env_list(name: str) -> list[str] | None:
    """Read a comma-separated list from the environment (None when unset)."""
    value = os.environ.get(name)
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


# Hosts that action handlers and remote schemas may be called on (host or host:port); unset = any.
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS")

# Per-role remote schema permissions (Hasura's HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS): when
# on, a role other than admin sees of a remote schema only what its permission's SDL allows.
REMOTE_SCHEMA_PERMISSIONS = env_flag("REMOTE_SCHEMA_PERMISSIONS", default=False)

# The largest GraphQL request a role other than admin may send (engine.limits); 0 = no limit.
GRAPHQL_MAX_DEPTH = int(os.environ.get("GRAPHQL_MAX_DEPTH") or 20)
GRAPHQL_MAX_NODES = int(os.environ.get("GRAPHQL_MAX_NODES") or 1000)
# The largest request body /v1/graphql, /v1/metadata, /v2/query and the console's forms accept.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES") or 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- AUTH: how callers without the admin secret are authenticated (relationships.auth) -----------
# JWT_SECRET         a JSON object, as Hasura's HASURA_GRAPHQL_JWT_SECRET: {"type": "HS256", "key": ...}
#                    or {"jwk_url": ...}, plus optional claims_namespace, claims_namespace_path,
#                    claims_format, audience, issuer, allowed_skew, header. Needs ADMIN_SECRET.
# AUTH_HOOK          URL of an authentication webhook, as HASURA_GRAPHQL_AUTH_HOOK. Needs ADMIN_SECRET.
# AUTH_HOOK_MODE     GET (default) or POST.
# UNAUTHORIZED_ROLE  the role of requests that carry no credentials (admin-secret and JWT modes).
JWT_SECRET = os.environ.get("JWT_SECRET") or None
AUTH_HOOK = os.environ.get("AUTH_HOOK") or None
AUTH_HOOK_MODE = (os.environ.get("AUTH_HOOK_MODE") or "GET").strip().upper()
UNAUTHORIZED_ROLE = os.environ.get("UNAUTHORIZED_ROLE") or None
# --- end of AUTH --------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "relationships",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "console.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "console.middleware.AuthenticationMiddleware",
    "console.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "console.urls"

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

WSGI_APPLICATION = "console.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Serve files straight from the static folders too, so a development server needs no collectstatic.
WHITENOISE_USE_FINDERS = True
# STATIC_MANIFEST=1 (set by `make serve`): hashed, compressed file names from collectstatic, which
# browsers may cache forever. Opt-in, because every page then needs collectstatic to have run first.
STATIC_MANIFEST = env_flag("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "relationships.api.exception_handler",
}

LOGIN_URL = "/console/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"joinery": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")}},
}

# --- DEMO: the seed examples served by this server (console.demo); DEMO=0 starts without them ------
# JOINERY_DEMO_URL           where the demo action handlers and remote schemas are reached (this server)
# JOINERY_DEMO_DATABASE_URL  the demo SQLite database (the source "default"), relative to the project
DEMO = env_flag("DEMO", default=True)
INSTALLED_APPS += ["console.demo"]
if DEMO:
    os.environ.setdefault("JOINERY_DEMO_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("JOINERY_DEMO_DATABASE_URL", "sqlite:///demo.sqlite3")
# --- end of DEMO --------------------------------------------------------------------------------
