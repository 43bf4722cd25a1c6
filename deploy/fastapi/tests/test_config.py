import pytest

from shop_api.config import Settings


def settings(url: str) -> Settings:
    return Settings(database_url=url, pool_size=1, max_overflow=0, stock_poll_interval=1)


def test_the_shared_url_gets_the_async_drivers():
    assert (
        settings("sqlite:////srv/shop.sqlite3").async_url.render_as_string() == "sqlite+aiosqlite:////srv/shop.sqlite3"
    )
    assert (
        settings("postgresql://shop:p%40ss@db:5432/tandem").async_url.render_as_string(hide_password=False)
        == "postgresql+asyncpg://shop:p%40ss@db:5432/tandem"
    )
    assert settings("postgres://db/tandem").async_url.drivername == "postgresql+asyncpg"


@pytest.mark.parametrize("url", ["mysql://db/shop", "sqlite:///:memory:", "sqlite://"])
def test_unsupported_urls_are_rejected(url):
    with pytest.raises(ValueError):
        _ = settings(url).async_url


def test_defaults_to_the_local_run_database(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings.from_env().database_url.endswith("/deploy/local/data/tandem.sqlite3")


def test_trusted_proxies_are_read_as_django_reads_them(monkeypatch):
    monkeypatch.setenv("TANDEM_TRUSTED_PROXIES", " 10.1.0.0/16, 127.0.0.1 ,::1")
    assert [str(n) for n in Settings.from_env().trusted_proxies] == ["10.1.0.0/16", "127.0.0.1/32", "::1/128"]
    monkeypatch.delenv("TANDEM_TRUSTED_PROXIES")
    assert [str(n) for n in Settings.from_env().trusted_proxies] == ["127.0.0.1/32"]
