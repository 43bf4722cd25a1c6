"""Fixtures shared by the FastAPI suite and the cross-app suites: one fresh database per test session,
on the server named by $DATABASE_URL (a temporary SQLite file when unset), with Django's migrations
applied, because Django owns the schema."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, delete, make_url

DEPLOY_DIR = Path(__file__).resolve().parent
DJANGO_DIR = DEPLOY_DIR / "django"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'base.sqlite3'}"
    with fresh_database(base, tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def sync_engine(database_url) -> Iterator[Engine]:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_tables(sync_engine) -> Iterator[None]:
    """Each test that writes starts from, and leaves, empty shop tables."""
    from shop_api.models import Base

    yield
    with sync_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@contextmanager
def fresh_database(base_url: str, scratch_dir: Path) -> Iterator[str]:
    """A new, empty database next to `base_url`'s, dropped afterwards."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{scratch_dir / 'tandem-test.sqlite3'}"
        return
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError(f"DATABASE_URL: unsupported scheme {url.drivername!r}")
    name = f"tandem_pytest_{uuid.uuid4().hex[:12]}"
    # CREATE DATABASE runs from the maintenance database: the one in the URL need not exist.
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=DJANGO_DIR,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
    )
