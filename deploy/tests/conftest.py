import os

import pytest
from fastapi.testclient import TestClient

from shop_api.config import Settings
from shop_api.main import create_app


@pytest.fixture(scope="session")
def django_setup(database_url):
    """Django configured in this process on the session database, as the schema owner and writer."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop_core.settings"
    import django

    django.setup()
    from django.conf import settings

    assert settings.DATABASES["default"]["NAME"] in database_url, "Django must use the session database"
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture
def django_client(django_setup):
    from django.test import Client

    # Outside Django's test runner "testserver" is not an allowed host.
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def fastapi_client(database_url):
    settings = Settings(database_url=database_url, pool_size=2, max_overflow=2, stock_poll_interval=0.05)
    with TestClient(create_app(settings)) as client:
        yield client
