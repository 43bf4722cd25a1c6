import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DEPLOY_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{DEPLOY_DIR / 'local' / 'data' / 'tandem.sqlite3'}"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """TANDEM_TRUSTED_PROXIES as Django reads it: comma-separated addresses or CIDR networks."""
    items = [item.strip() for item in value.split(",") if item.strip()] or ["127.0.0.1"]
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


@dataclass(frozen=True)
class Settings:
    database_url: str
    pool_size: int
    max_overflow: int
    stock_poll_interval: float
    # The same list uvicorn gets as --forwarded-allow-ips (deploy/bin/serve-fastapi); shop_api.shadow
    # believes X-Tandem-Shadow only from these peers.
    trusted_proxies: tuple[Network, ...] = parse_trusted_proxies("")

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            pool_size=int(os.environ.get("DB_POOL_SIZE", "10")),
            max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "10")),
            stock_poll_interval=float(os.environ.get("STOCK_POLL_INTERVAL", "1.0")),
            trusted_proxies=parse_trusted_proxies(os.environ.get("TANDEM_TRUSTED_PROXIES", "")),
        )

    @property
    def async_url(self) -> URL:
        """DATABASE_URL as Django reads it, with the async driver named: aiosqlite or asyncpg."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise ValueError("DATABASE_URL: SQLite needs a file both apps can open")
            return url.set(drivername="sqlite+aiosqlite")
        if url.get_backend_name() in ("postgresql", "postgres"):
            return url.set(drivername="postgresql+asyncpg")
        raise ValueError(f"DATABASE_URL: unsupported scheme {url.drivername!r} (expected sqlite or postgresql)")
