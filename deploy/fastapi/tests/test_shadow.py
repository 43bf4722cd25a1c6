"""Shadow requests (X-Tandem-Shadow: 1 from a trusted proxy) get the answer a real request gets, and the write
endpoints leave the database as it was: no row changed, nothing for the stock WebSocket to broadcast."""

import ipaddress

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shop_api import queries
from shop_api.main import create_app
from shop_api.models import Product
from shop_api.shadow import ROLLED_BACK_HEADER, from_trusted_proxy

SHADOW = {"X-Tandem-Shadow": "1"}
# The default TANDEM_TRUSTED_PROXIES is 127.0.0.1; this peer is not trusted.
UNTRUSTED_PEER = ("192.0.2.50", 41234)


@pytest.fixture
def via_gateway(settings, empty_tables):
    """A client whose requests come from the trusted proxy's address, as the gateway's do."""
    with TestClient(create_app(settings), client=("127.0.0.1", 50123)) as client:
        yield client


@pytest.fixture
def untrusted(settings, empty_tables):
    with TestClient(create_app(settings), client=UNTRUSTED_PEER) as client:
        yield client


def stored(sync_engine, pid):
    with sync_engine.connect() as connection:
        return connection.execute(select(Product.stock, Product.updated_at).where(Product.id == pid)).one()


def test_a_shadow_stock_write_answers_like_a_real_one_and_changes_nothing(via_gateway, make_product, sync_engine):
    pid = make_product(stock=5)
    before = stored(sync_engine, pid)

    shadow = via_gateway.post(f"/api/v2/products/{pid}/stock", json={"delta": 3}, headers=SHADOW)

    assert shadow.status_code == 200
    assert shadow.headers[ROLLED_BACK_HEADER] == "1"
    assert shadow.headers["X-Backend"] == "fastapi"
    assert shadow.json()["stock"] == 8
    assert stored(sync_engine, pid) == before

    real = via_gateway.post(f"/api/v2/products/{pid}/stock", json={"delta": 3})

    assert real.status_code == 200
    assert ROLLED_BACK_HEADER not in real.headers
    assert {**shadow.json(), "updated_at": None} == {**real.json(), "updated_at": None}
    assert stored(sync_engine, pid).stock == 8


def test_a_shadow_stock_write_below_zero_answers_the_same_409(via_gateway, make_product, sync_engine):
    pid = make_product(stock=2)
    before = stored(sync_engine, pid)

    shadow = via_gateway.post(f"/api/v2/products/{pid}/stock", json={"delta": -3}, headers=SHADOW)
    real = via_gateway.post(f"/api/v2/products/{pid}/stock", json={"delta": -3})

    assert (shadow.status_code, shadow.json()) == (real.status_code, real.json())
    assert shadow.status_code == 409
    assert shadow.headers[ROLLED_BACK_HEADER] == "1"
    assert stored(sync_engine, pid) == before


def test_a_shadow_for_an_unknown_product_answers_the_same_404(via_gateway):
    shadow = via_gateway.post("/api/v2/products/999999/stock", json={"delta": 1}, headers=SHADOW)
    assert (shadow.status_code, shadow.json()) == (404, {"detail": "Not found."})
    assert shadow.headers[ROLLED_BACK_HEADER] == "1"


def test_reads_have_nothing_to_roll_back_and_are_not_marked(via_gateway, make_product):
    pid = make_product()
    response = via_gateway.get(f"/api/products/{pid}", headers=SHADOW)
    assert response.status_code == 200
    assert ROLLED_BACK_HEADER not in response.headers


@pytest.mark.parametrize("peer", [UNTRUSTED_PEER, ("testclient", 50000)])
def test_an_untrusted_peers_shadow_header_is_ignored_and_the_write_commits(settings, make_product, sync_engine, peer):
    pid = make_product(stock=5)
    with TestClient(create_app(settings), client=peer) as client:
        response = client.post(f"/api/v2/products/{pid}/stock", json={"delta": -2}, headers=SHADOW)
    assert response.status_code == 200
    assert ROLLED_BACK_HEADER not in response.headers
    assert stored(sync_engine, pid).stock == 3


@pytest.mark.parametrize("value", ["0", "true", ""])
def test_only_the_value_1_marks_a_shadow(via_gateway, make_product, sync_engine, value):
    pid = make_product(stock=5)
    response = via_gateway.post(f"/api/v2/products/{pid}/stock", json={"delta": 1}, headers={"X-Tandem-Shadow": value})
    assert ROLLED_BACK_HEADER not in response.headers
    assert stored(sync_engine, pid).stock == 6


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "rolled_back"),
    [
        # The gateway (trusted) forwarding a remote client: uvicorn replaces the peer by the client.
        (("127.0.0.1", 50123), "203.0.113.7", True),
        (("127.0.0.1", 50123), "198.51.100.1, 203.0.113.7", True),
        (("127.0.0.1", 50123), "[2001:db8::7]:4711", True),
        # An untrusted peer keeps its own address and port, whatever it forwards.
        (UNTRUSTED_PEER, "203.0.113.7", False),
        (UNTRUSTED_PEER, UNTRUSTED_PEER[0], False),
        (UNTRUSTED_PEER, None, False),
    ],
)
def test_behind_uvicorns_proxy_headers_the_peer_decides(
    settings, make_product, sync_engine, peer, forwarded_for, rolled_back
):
    """As deploy/bin/serve-fastapi runs the app: uvicorn's ProxyHeadersMiddleware rewrites the client first."""
    pid = make_product(stock=5)
    app = ProxyHeadersMiddleware(create_app(settings), trusted_hosts="127.0.0.1")
    headers = {**SHADOW, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    with TestClient(app, client=peer) as client:
        response = client.post(f"/api/v2/products/{pid}/stock", json={"delta": -1}, headers=headers)
    assert response.status_code == 200
    assert (response.headers.get(ROLLED_BACK_HEADER) == "1") is rolled_back
    assert stored(sync_engine, pid).stock == (5 if rolled_back else 4)


@pytest.mark.parametrize(
    ("client", "forwarded_for", "trusted"),
    [
        (("127.0.0.1", 1), None, True),
        (("10.0.0.9", 0), "10.0.0.9", True),
        (("10.0.0.9", 0), "10.0.0.9, 127.0.0.1", True),
        (("10.0.0.9", 8080), "10.0.0.9:8080", True),
        (("2001:db8::1", 0), "2001:db8::1", True),
        (("2001:db8::1", 443), "[2001:db8::1]:443", True),
        (("10.0.0.9", 5555), "10.0.0.9", False),
        (("10.0.0.9", 5555), None, False),
        (("10.0.0.9", 0), "10.0.0.8", False),
        (None, None, False),
    ],
)
def test_trust_after_uvicorns_rewrite(client, forwarded_for, trusted):
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    scope = {"type": "http", "client": client, "headers": headers}
    assert from_trusted_proxy(scope, (ipaddress.ip_network("127.0.0.1/32"),)) is trusted


def test_a_failure_after_the_write_rolls_back_and_the_500_is_marked(settings, make_product, sync_engine, monkeypatch):
    pid = make_product(stock=5)
    before = stored(sync_engine, pid)

    def broken(row):
        raise RuntimeError("boom after the UPDATE")

    monkeypatch.setattr(queries, "product_out", broken)
    with TestClient(create_app(settings), client=("127.0.0.1", 50123), raise_server_exceptions=False) as client:
        shadow = client.post(f"/api/v2/products/{pid}/stock", json={"delta": 1}, headers=SHADOW)
        real = client.post(f"/api/v2/products/{pid}/stock", json={"delta": 1})

    assert (shadow.status_code, real.status_code) == (500, 500)
    assert shadow.headers[ROLLED_BACK_HEADER] == "1"
    assert ROLLED_BACK_HEADER not in real.headers
    assert stored(sync_engine, pid) == before, "an endpoint that fails commits nothing, shadow or not"


def test_a_shadow_stock_write_is_never_broadcast(via_gateway, make_product):
    shadowed = make_product(stock=5)
    real = make_product(stock=5)
    with via_gateway.websocket_connect("/api/v2/ws/stock") as ws:
        assert ws.receive_json()["type"] == "hello"

        assert via_gateway.post(f"/api/v2/products/{shadowed}/stock", json={"delta": -2}, headers=SHADOW).is_success
        changed = via_gateway.post(f"/api/v2/products/{real}/stock", json={"delta": -1}).json()

        # The feed reports changes in updated_at order: had the shadow's been committed, it would come first.
        assert ws.receive_json() == {
            "type": "stock",
            "product_id": real,
            "stock": 4,
            "updated_at": changed["updated_at"],
        }
