"""The dual-served contract: GET /api/products and /api/products/<id> answer the same bytes from Django
and from FastAPI over the same data (the X-Backend header aside), for results, filters, pagination,
404s and 400s alike."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

CASES = [
    "/api/products",
    "/api/products?page_size=3",
    "/api/products?page=2&page_size=3",
    "/api/products?page=99",
    "/api/products?category=coffee",
    "/api/products?category=coffee&in_stock=true",
    "/api/products?in_stock=false&page_size=100",
    "/api/products?category=no-such-category",
    "/api/products?category=&in_stock=&page=",
    "/api/products?page=2&page=1",
    "/api/products?unknown=ignored",
    "/api/products?page=0",
    "/api/products?page=-1&page_size=0",
    "/api/products?page=abc&page_size=101&in_stock=maybe",
    "/api/products?page=1.5",
    "/api/products?page_size=%EF%BC%95",
    "/api/products?page=" + "9" * 40,
    "/api/products/{first}",
    "/api/products/{unicode}",
    "/api/products/{sold_out}",
    "/api/products/999999",
    "/api/products/0",
    "/api/products/abc",
    "/api/products/-3",
    "/api/products/99999999999999999999",
    "/api/products/",
]


@pytest.fixture(scope="module")
def catalogue(django_setup, sync_engine):
    from shop.models import Category, Product

    coffee = Category.objects.create(slug="coffee", name="Coffee")
    books = Category.objects.create(slug="books", name="Books & Maps")
    products = [
        Product.objects.create(
            sku=f"C-{n:03d}",
            name=f"Coffee thing {n}",
            category=coffee if n % 3 else books,
            price=Decimal(n * 7) / 4,
            stock=0 if n % 4 == 0 else n,
        )
        for n in range(1, 12)
    ]
    unicode = Product.objects.create(
        sku="U-1", name='Café ☕ «spécial» "quoted" \\ \t', category=coffee, price=Decimal("0.5"), stock=1
    )
    # Whole seconds: the timestamp must still carry six fractional digits on both sides.
    Product.objects.filter(pk=products[0].pk).update(updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    ids = {"first": products[0].pk, "unicode": unicode.pk, "sold_out": products[3].pk}
    yield ids
    Product.objects.all().delete()
    Category.objects.all().delete()


@pytest.mark.parametrize("path", CASES)
def test_both_apps_answer_the_same_bytes(path, catalogue, django_client, fastapi_client):
    path = path.format(**catalogue)

    from_django = django_client.get(path)
    from_fastapi = fastapi_client.get(path)

    assert (from_django.status_code, from_fastapi.status_code) in {(200, 200), (400, 400), (404, 404)}
    assert from_django.status_code == from_fastapi.status_code
    assert from_django["Content-Type"] == from_fastapi.headers["content-type"] == "application/json"
    assert from_django["X-Backend"] == "django" and from_fastapi.headers["x-backend"] == "fastapi"
    assert from_django.content == from_fastapi.content, (
        f"{path}\n django: {from_django.content!r}\nfastapi: {from_fastapi.content!r}"
    )


def test_the_cases_cover_every_outcome(catalogue, fastapi_client):
    statuses = {fastapi_client.get(path.format(**catalogue)).status_code for path in CASES}
    assert statuses == {200, 400, 404}
