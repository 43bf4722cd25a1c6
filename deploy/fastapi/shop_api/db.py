from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .config import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 5


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.async_url
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        # A pooled connection is tested before use, so a restarted database costs a reconnect,
        # not a failed request; recycling bounds how long a connection lives.
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _configure_sqlite(dbapi_connection, _record) -> None:
    """The same settings Django applies to its connections (deploy/django/shop_core/database.py)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()
