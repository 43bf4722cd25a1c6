import re
from datetime import datetime, timezone

import pytest

from shop.models import Product

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def test_product_json_has_the_contract_shape_and_formats(client, make_product):
    product = make_product(price="12.5", stock=7, name="Café ☕")
    Product.objects.filter(pk=product.pk).update(updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))

    response = client.get(f"/api/products/{product.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Backend"] == "django"
    assert response.json() == {
        "id": product.pk,
        "sku": product.sku,
        "name": "Café ☕",
        "category": {"id": product.category_id, "slug": "coffee", "name": "Coffee"},
        "price": "12.50",
        "stock": 7,
        "updated_at": "2026-01-02T03:04:05.000000Z",
    }
    assert "Café ☕".encode() in response.content, "UTF-8, not \\u escapes"


def test_list_is_paginated_in_id_order(client, make_product):
    ids = [make_product().pk for _ in range(5)]

    body = client.get("/api/products?page=2&page_size=2").json()

    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [p["id"] for p in body["results"]] == ids[2:4]
    assert all(TIMESTAMP.fullmatch(p["updated_at"]) for p in body["results"])


def test_list_defaults_and_pages_past_the_end(client, make_product):
    make_product()
    assert client.get("/api/products").json()["page_size"] == 20
    assert client.get("/api/products?page=9").json() == {"count": 1, "page": 9, "page_size": 20, "results": []}


def test_list_filters_by_category_and_stock(client, make_product):
    coffee_out = make_product(category="coffee", stock=0)
    coffee_in = make_product(category="coffee", stock=4)
    make_product(category="books", stock=0)

    def ids(query):
        return [p["id"] for p in client.get(f"/api/products?{query}").json()["results"]]

    assert ids("category=coffee") == [coffee_out.pk, coffee_in.pk]
    assert ids("category=coffee&in_stock=true") == [coffee_in.pk]
    assert ids("category=coffee&in_stock=false") == [coffee_out.pk]
    assert ids("category=nope") == []
    assert ids("category=&in_stock=") == ids("")


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=0", {"page": ["Ensure this value is greater than or equal to 1."]}),
        ("page=-3", {"page": ["Ensure this value is greater than or equal to 1."]}),
        ("page=x", {"page": ["A valid integer is required."]}),
        ("page=1.0", {"page": ["A valid integer is required."]}),
        ("page=%EF%BC%91", {"page": ["A valid integer is required."]}),
        ("page=" + "9" * 5000, {"page": ["Ensure this value is less than or equal to 1000000."]}),
        ("page_size=101", {"page_size": ["Ensure this value is less than or equal to 100."]}),
        ("in_stock=yes", {"in_stock": ["Must be true or false."]}),
        (
            "page=0&page_size=0&in_stock=1",
            {
                "page": ["Ensure this value is greater than or equal to 1."],
                "page_size": ["Ensure this value is greater than or equal to 1."],
                "in_stock": ["Must be true or false."],
            },
        ),
    ],
)
def test_invalid_list_parameters_answer_400_with_field_errors(client, db, query, errors):
    response = client.get(f"/api/products?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid parameters.", "errors": errors}


@pytest.mark.parametrize("product_id", ["999999", "0", "abc", "1.5", "99999999999999999999", "-1"])
def test_unknown_or_malformed_ids_answer_json_404(client, db, product_id):
    response = client.get(f"/api/products/{product_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response["X-Backend"] == "django"


def test_head_has_headers_and_no_body(client, make_product):
    response = client.head("/api/products")
    assert response.status_code == 200
    assert response.content == b""
