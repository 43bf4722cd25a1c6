"""Turns DATABASE_URL into Django's DATABASES entry; the FastAPI app reads the same variable."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SQLITE_BUSY_TIMEOUT_SECONDS = 5


def database_settings(url: str, conn_max_age: int) -> dict:
    """`sqlite:////abs/file.sqlite3` or `postgresql://user:pass@host:port/name?option=value`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(unquote(url[len("sqlite:///") :]), conn_max_age)
    if parts.scheme in ("postgresql", "postgres"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": conn_max_age,
            # A persistent connection is pinged before each request reuses it, so a restarted
            # database costs one reconnect instead of one failed request per worker thread.
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (expected sqlite or postgresql)")


def _sqlite(path: str, conn_max_age: int) -> dict:
    if not path or path == ":memory:":
        raise ImproperlyConfigured(
            "DATABASE_URL: SQLite needs a file both apps can open, e.g. sqlite:////abs/path.sqlite3"
        )
    file = Path(path)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(file),
        "OPTIONS": {
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            # Writers take the lock when the transaction starts, so a read-then-write transaction
            # (an order decrementing stock) waits for the busy timeout instead of failing with
            # "database is locked" when it tries to upgrade its lock.
            "transaction_mode": "IMMEDIATE",
            # WAL lets FastAPI's readers run while Django writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
        "CONN_MAX_AGE": conn_max_age,
        # Tests run on a real file next to the configured one, with the same WAL and locking behaviour.
        "TEST": {"NAME": str(file.with_name(f"{file.stem}-test{file.suffix}"))},
    }
