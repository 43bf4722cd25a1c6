"""Settings for the reference Django app. Everything that differs between the local run, the tests and
the containers comes from the environment; deploy/README.md lists the variables."""

import ipaddress
import os
from pathlib import Path

from .database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY_DIR = BASE_DIR.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "tandem-demo-only-insecure-key-set-DJANGO_SECRET_KEY")
DEBUG = _env_bool("DJANGO_DEBUG", False)

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *_env_list("DJANGO_ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = ["http://localhost:8080", "http://127.0.0.1:8080", *_env_list("CSRF_TRUSTED_ORIGINS")]

# The gateway terminates the client connection; these make request.is_secure(), get_host() and
# build_absolute_uri() describe the client's view. TrustedProxyMiddleware removes the headers
# unless they come from a trusted proxy, because Django itself would believe any peer.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True
TANDEM_TRUSTED_PROXIES = [
    ipaddress.ip_network(item, strict=False) for item in _env_list("TANDEM_TRUSTED_PROXIES") or ["127.0.0.1"]
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shop",
]

MIDDLEWARE = [
    # Outermost, so error pages and static files are marked too.
    "shop_core.middleware.BackendHeaderMiddleware",
    # Before anything reads is_secure(), the host or REMOTE_ADDR.
    "shop_core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After the proxy check (it believes X-Tandem-Shadow only from a trusted proxy) and static files (no
    # database), before sessions and auth, so that their writes are rolled back with the view's.
    "shop_core.shadow.ShadowRollbackMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop_core.urls"
WSGI_APPLICATION = "shop_core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
    "default": database_settings(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEPLOY_DIR / 'local' / 'data' / 'tandem.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orders"
LOGOUT_REDIRECT_URL = "catalogue"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Filled by `manage.py collectstatic` (deploy/bin/prepare, or the image build); git-ignored.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
