from decimal import Decimal

import pytest

from shop.models import Category, Product


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic to have run; page tests only need the URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_product(db):
    counter = iter(range(1, 10_000))

    def make(*, category: str = "coffee", stock: int = 10, price: str = "12.50", name: str | None = None) -> Product:
        n = next(counter)
        cat, _ = Category.objects.get_or_create(slug=category, defaults={"name": category.title()})
        return Product.objects.create(
            sku=f"T-{n:05d}", name=name or f"Product {n}", category=cat, price=Decimal(price), stock=stock
        )

    return make
