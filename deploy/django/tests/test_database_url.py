import pytest
from django.core.exceptions import ImproperlyConfigured

from shop_core.database import database_settings


def test_sqlite_url_names_an_absolute_file_with_wal_and_busy_timeout():
    config = database_settings("sqlite:////srv/data/shop.sqlite3", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/data/shop.sqlite3"
    assert config["OPTIONS"]["timeout"] == 5
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["TEST"]["NAME"] == "/srv/data/shop-test.sqlite3"


def test_postgresql_url_is_split_and_decoded():
    config = database_settings("postgresql://shop:p%40ss@db.internal:6543/tandem?sslmode=require", conn_max_age=30)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("tandem", "shop", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] == 30
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite:///:memory:", "sqlite:///"])
def test_unsupported_urls_are_rejected(url):
    with pytest.raises(ImproperlyConfigured):
        database_settings(url, conn_max_age=0)
