import itertools
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from shop_api.config import Settings
from shop_api.main import create_app
from shop_api.models import Category, Product


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, pool_size=4, max_overflow=4, stock_poll_interval=0.05)


@pytest.fixture
def client(settings, empty_tables):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def make_product(sync_engine, empty_tables):
    """Inserts rows the way Django would, through this app's mapping of Django's tables."""
    counter = itertools.count(1)

    def make(*, category="coffee", stock=10, price="12.50", name=None, updated_at=None) -> int:
        n = next(counter)
        now = datetime.now(timezone.utc)
        with sync_engine.begin() as connection:
            category_id = connection.scalar(select(Category.id).where(Category.slug == category))
            if category_id is None:
                category_id = connection.scalar(
                    insert(Category).values(slug=category, name=category.title()).returning(Category.id)
                )
            return connection.scalar(
                insert(Product)
                .values(
                    sku=f"T-{n:05d}",
                    name=name or f"Product {n}",
                    description="",
                    category_id=category_id,
                    price=Decimal(price),
                    stock=stock,
                    created_at=now,
                    updated_at=updated_at or now,
                )
                .returning(Product.id)
            )

    return make
