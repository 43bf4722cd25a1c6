import json
import threading

import pytest
from django.db import connection
from django.test import Client

from shop.models import Customer, Order, Product


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def csrf_client():
    # The machine API is csrf_exempt; prove it with a client that enforces CSRF like a browser would.
    return Client(enforce_csrf_checks=True)


def test_order_takes_the_stock_and_answers_201(csrf_client, make_product):
    kite = make_product(price="2.50", stock=5)
    mug = make_product(price="10.00", stock=1)

    response = post(
        csrf_client,
        "/api/orders",
        {
            "customer_email": "ada@example.com",
            "customer_name": "Ada",
            "lines": [
                {"product_id": kite.pk, "quantity": 3},
                {"product_id": mug.pk, "quantity": 1},
            ],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/orders/{body['id']}"
    assert body["total"] == "17.50"
    assert body["customer"]["email"] == "ada@example.com"
    assert [(line["product_id"], line["quantity"], line["line_total"]) for line in body["lines"]] == [
        (kite.pk, 3, "7.50"),
        (mug.pk, 1, "10.00"),
    ]
    assert Product.objects.get(pk=kite.pk).stock == 2
    assert Product.objects.get(pk=mug.pk).stock == 0
    assert csrf_client.get(response["Location"]).json() == body


def test_insufficient_stock_answers_409_and_changes_nothing(client, make_product):
    plenty = make_product(stock=50)
    scarce = make_product(stock=2)
    before = Product.objects.get(pk=plenty.pk).updated_at

    response = post(
        client,
        "/api/orders",
        {
            "customer_email": "bob@example.com",
            "lines": [
                {"product_id": plenty.pk, "quantity": 10},
                {"product_id": scarce.pk, "quantity": 3},
            ],
        },
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Insufficient stock.",
        "shortages": [{"product_id": scarce.pk, "requested": 3, "available": 2}],
    }
    assert Product.objects.get(pk=plenty.pk).stock == 50
    assert Product.objects.get(pk=plenty.pk).updated_at == before
    assert Product.objects.get(pk=scarce.pk).stock == 2
    assert not Order.objects.exists()
    assert not Customer.objects.exists(), "the customer is created in the same transaction"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"lines": [{"product_id": 1, "quantity": 1}]}, {"customer_email": ["This field is required."]}),
        (
            {"customer_email": "nope", "lines": []},
            {
                "customer_email": ["Enter a valid email address."],
                "lines": ["Expected a list of 1 to 100 lines."],
            },
        ),
        (
            {"customer_email": "a@example.com", "lines": [{"product_id": "x", "quantity": 0}]},
            {
                "lines.0.product_id": ["Enter a whole number."],
                "lines.0.quantity": ["Ensure this value is greater than or equal to 1."],
            },
        ),
        (
            {"customer_email": "a@example.com", "lines": ["oops"]},
            {
                "lines.0.product_id": ["This field is required."],
                "lines.0.quantity": ["This field is required."],
            },
        ),
    ],
)
def test_invalid_orders_answer_400_with_field_errors(client, db, body, errors):
    response = post(client, "/api/orders", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid request.", "errors": errors}


def test_duplicate_and_unknown_products_are_field_errors(client, make_product):
    product = make_product()
    duplicate = post(
        client,
        "/api/orders",
        {
            "customer_email": "a@example.com",
            "lines": [
                {"product_id": product.pk, "quantity": 1},
                {"product_id": product.pk, "quantity": 1},
            ],
        },
    )
    unknown = post(
        client,
        "/api/orders",
        {
            "customer_email": "a@example.com",
            "lines": [
                {"product_id": product.pk, "quantity": 1},
                {"product_id": 987654, "quantity": 1},
            ],
        },
    )
    assert duplicate.json()["errors"] == {"lines.1.product_id": ["Duplicate product."]}
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"lines.1.product_id": ["Unknown product."]}


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff"])
def test_a_body_that_is_not_a_json_object_is_rejected(client, db, raw):
    response = client.post("/api/orders", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid request.", "errors": {"body": ["Expected a JSON object."]}}


def test_stock_can_be_set_or_changed_by_a_delta(csrf_client, make_product):
    product = make_product(stock=10)
    path = f"/api/products/{product.pk}/stock"

    assert post(csrf_client, path, {"stock": 4}).json()["stock"] == 4
    assert post(csrf_client, path, {"delta": 3}).json()["stock"] == 7
    too_many = post(csrf_client, path, {"delta": -8})

    assert too_many.status_code == 409
    assert too_many.json()["shortages"] == [{"product_id": product.pk, "requested": 8, "available": 7}]
    assert Product.objects.get(pk=product.pk).stock == 7


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"body": ["Give exactly one of stock or delta."]}),
        ({"stock": 1, "delta": 1}, {"body": ["Give exactly one of stock or delta."]}),
        ({"stock": -1}, {"stock": ["Ensure this value is greater than or equal to 0."]}),
    ],
)
def test_invalid_stock_changes_answer_400(client, make_product, body, errors):
    response = post(client, f"/api/products/{make_product().pk}/stock", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid request.", "errors": errors}


def test_stock_of_an_unknown_product_is_404(client, db):
    assert post(client, "/api/products/424242/stock", {"stock": 1}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_sell_the_same_unit_twice(make_product):
    """Row locks on PostgreSQL, the IMMEDIATE write lock on SQLite: of two orders for the last unit,
    exactly one wins, whatever the interleaving."""
    product = make_product(stock=1)
    barrier = threading.Barrier(4)
    statuses = []

    def order(n):
        try:
            barrier.wait()
            response = post(
                Client(),
                "/api/orders",
                {
                    "customer_email": f"racer{n}@example.com",
                    "lines": [{"product_id": product.pk, "quantity": 1}],
                },
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409, 409, 409]
    assert Product.objects.get(pk=product.pk).stock == 0
