"""Shadow requests (X-Tandem-Shadow: 1 from a trusted proxy) are answered as real ones and leave no trace in
the database. transaction=True: the middleware's transaction is then the outermost one, as in production
(BEGIN IMMEDIATE on SQLite, real row locks on PostgreSQL), not a savepoint in the test's own transaction."""

import json
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

from shop.models import Customer, Order, OrderLine, Product
from shop_core.shadow import ROLLED_BACK_HEADER, ShadowRollbackMiddleware

pytestmark = pytest.mark.django_db(transaction=True)

SHADOW = {"HTTP_X_TANDEM_SHADOW": "1"}
# The test client's default peer, 127.0.0.1, is the default trusted proxy; this one is not.
UNTRUSTED_PEER = "192.0.2.50"


def post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def order_body(product, quantity=1, email="ada@example.com"):
    return {"customer_email": email, "customer_name": "Ada", "lines": [{"product_id": product.pk, "quantity": quantity}]}


def without_ids(value):
    """The order JSON minus what legitimately differs between two placements of the same order."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "created_at")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def snapshot(product):
    product.refresh_from_db()
    return (
        product.stock,
        product.updated_at,
        Order.objects.count(),
        OrderLine.objects.count(),
        Customer.objects.count(),
    )


def test_a_shadow_order_answers_201_like_a_real_one_and_writes_nothing(make_product):
    product = make_product(price="2.50", stock=5)
    before = snapshot(product)

    shadow = post(Client(), "/api/orders", order_body(product, 3), **SHADOW)

    assert shadow.status_code == 201, shadow.content
    assert shadow[ROLLED_BACK_HEADER] == "1"
    assert shadow["Location"] == f"/api/orders/{shadow.json()['id']}"
    assert shadow.json()["total"] == "7.50"
    assert snapshot(product) == before, "stock, orders, lines and customers are as they were"
    assert Client().get(shadow["Location"]).status_code == 404

    real = post(Client(), "/api/orders", order_body(product, 3))

    assert real.status_code == 201, real.content
    assert ROLLED_BACK_HEADER not in real
    assert without_ids(shadow.json()) == without_ids(real.json())
    assert shadow.json().keys() == real.json().keys()
    assert snapshot(product)[0] == 2
    assert Order.objects.count() == 1 and Customer.objects.count() == 1


def test_a_shadow_order_for_too_much_answers_the_same_409(make_product):
    product = make_product(stock=2)
    before = snapshot(product)

    shadow = post(Client(), "/api/orders", order_body(product, 3), **SHADOW)
    real = post(Client(), "/api/orders", order_body(product, 3))

    assert (shadow.status_code, shadow.json()) == (real.status_code, real.json()) == (409, real.json())
    assert shadow[ROLLED_BACK_HEADER] == "1"
    assert snapshot(product) == before


def test_a_shadow_order_with_field_errors_answers_the_same_400(db):
    body = {"customer_email": "not-an-email", "lines": []}
    shadow = post(Client(), "/api/orders", body, **SHADOW)
    real = post(Client(), "/api/orders", body)
    assert (shadow.status_code, shadow.json()) == (real.status_code, real.json())
    assert shadow.status_code == 400
    assert shadow[ROLLED_BACK_HEADER] == "1"


def test_a_shadow_stock_write_is_rolled_back(make_product):
    product = make_product(stock=10)
    before = snapshot(product)

    shadow = post(Client(), f"/api/products/{product.pk}/stock", {"delta": -4}, **SHADOW)

    assert shadow.status_code == 200
    assert shadow.json()["stock"] == 6
    assert shadow[ROLLED_BACK_HEADER] == "1"
    assert snapshot(product) == before


def test_an_untrusted_peers_shadow_header_is_ignored_and_the_order_commits(make_product):
    product = make_product(stock=5)

    response = post(Client(REMOTE_ADDR=UNTRUSTED_PEER), "/api/orders", order_body(product, 2), **SHADOW)

    assert response.status_code == 201
    assert ROLLED_BACK_HEADER not in response
    assert snapshot(product)[0] == 3
    assert Order.objects.filter(pk=response.json()["id"]).exists()


@pytest.mark.parametrize("value", ["0", "true", ""])
def test_only_the_value_1_marks_a_shadow(make_product, value):
    product = make_product(stock=5)
    response = post(Client(), "/api/orders", order_body(product), HTTP_X_TANDEM_SHADOW=value)
    assert response.status_code == 201 and ROLLED_BACK_HEADER not in response
    assert snapshot(product)[0] == 4


def test_a_shadow_login_saves_no_session_and_keeps_last_login():
    user = get_user_model().objects.create_user("shopper", "shopper@example.com", "s3cret-pass")
    client = Client()

    login = client.post("/accounts/login/", {"username": "shopper", "password": "s3cret-pass"}, **SHADOW)

    assert login.status_code == 302 and login["Location"] == "/orders/"
    assert login[ROLLED_BACK_HEADER] == "1"
    assert "sessionid" in login.cookies, "the response is computed in full (the gateway drops it)"
    assert not Session.objects.exists()
    user.refresh_from_db()
    assert user.last_login is None
    assert client.get("/orders/").status_code == 302, "the session cookie points at nothing"


def test_a_shadow_racing_a_real_order_for_the_last_unit_never_takes_it(make_product):
    """Row locks on PostgreSQL, the IMMEDIATE write lock on SQLite: the shadows wait for, or are waited for
    by, the real order, and whatever the interleaving only the real order is kept."""
    product = make_product(stock=1)
    barrier = threading.Barrier(4)
    results = {}

    def order(n):
        try:
            barrier.wait()
            headers = SHADOW if n else {}
            response = post(Client(), "/api/orders", order_body(product, email=f"racer{n}@example.com"), **headers)
            results[n] = (response.status_code, response.get(ROLLED_BACK_HEADER))
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results[0] == (201, None), results
    assert all(status in (201, 409) and header == "1" for status, header in (results[n] for n in (1, 2, 3))), results
    assert snapshot(product)[0] == 0
    assert list(Order.objects.values_list("customer__email", flat=True)) == ["racer0@example.com"]


def test_the_middleware_sits_after_the_proxy_check_and_before_every_database_writer():
    middleware = settings.MIDDLEWARE
    shadow = middleware.index("shop_core.shadow.ShadowRollbackMiddleware")
    assert middleware.index("shop_core.middleware.TrustedProxyMiddleware") < shadow
    for writer in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ):
        assert shadow < middleware.index(writer), writer


def test_without_the_proxy_check_before_it_the_middleware_refuses_to_guess():
    middleware = ShadowRollbackMiddleware(lambda request: HttpResponse())
    with pytest.raises(ImproperlyConfigured):
        middleware(RequestFactory().get("/", **SHADOW))
