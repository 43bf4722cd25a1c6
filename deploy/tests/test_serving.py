"""The apps as production runs them: deploy/bin/serve-django (gunicorn, gthread) and
deploy/bin/serve-fastapi (uvicorn, uvloop, httptools) as real processes on loopback ports, on the session
database. Covers what in-process clients cannot: keep-alive, the servers' proxy-header trust by peer
address (for forwarding headers and for X-Tandem-Shadow), chunked uploads, the WebSocket across apps, and a
clean exit on SIGTERM."""

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.sync.client import connect as websocket_connect

BIN = Path(__file__).resolve().parents[1] / "bin"
STARTUP_SECONDS = 30
SHUTDOWN_SECONDS = 15
# Linux routes all of 127.0.0.0/8 to loopback: a second source address is a peer that is not trusted.
UNTRUSTED_SOURCE = "127.0.0.2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, database_url: str, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TANDEM_VENV": sys.prefix,
            "TANDEM_TRUSTED_PROXIES": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "STOCK_POLL_INTERVAL": "0.1",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [BIN / f"serve-{name}", "127.0.0.1", str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"{self.name} not healthy after {STARTUP_SECONDS}s:\n{self.log.read_text()}")

    def connection(self, source: str | None = None) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0) if source else None
        )

    def request(self, method, path, body=None, headers=None, source=None):
        connection = self.connection(source)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self) -> int | None:
        """SIGTERM, as honcho, Docker and Kubernetes send it; None if the server did not exit in time."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


@contextmanager
def running(database_url, tmp_path):
    servers = {}
    try:
        for name in ("django", "fastapi"):
            servers[name] = Server(name, database_url, tmp_path)
        yield servers
    finally:
        for server in servers.values():
            if server.process.poll() is None:
                server.stop()


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    with running(database_url, tmp_path_factory.mktemp("serving")) as servers:
        yield servers


@pytest.fixture(scope="module")
def product_id(django_setup, servers):
    from shop.models import Category, Product

    category = Category.objects.create(slug="serving", name="Serving")
    product = Product.objects.create(sku="S-1", name="Served", category=category, price="3.00", stock=10)
    yield product.pk
    Product.objects.filter(category=category).delete()
    category.delete()


@pytest.mark.parametrize(
    ("app", "path"),
    [("django", "/api/products"), ("django", "/no/such/page"), ("fastapi", "/api/products"), ("fastapi", "/nope")],
)
def test_every_response_names_its_backend(servers, product_id, app, path):
    _, headers, _ = servers[app].request("GET", path)
    assert headers["X-Backend"] == app


@pytest.mark.parametrize("app", ["django", "fastapi"])
def test_connections_are_kept_alive(servers, product_id, app):
    connection = servers[app].connection()
    try:
        for path in ("/healthz", f"/api/products/{product_id}", "/healthz"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.headers.get("Connection", "").lower() != "close"
            sock = connection.sock
            assert sock is not None, "the server closed the connection"
    finally:
        connection.close()


def test_both_servers_answer_the_same_bytes(servers, product_id):
    for path in ("/api/products?category=serving", f"/api/products/{product_id}", "/api/products?page=0"):
        django = servers["django"].request("GET", path)
        fastapi = servers["fastapi"].request("GET", path)
        assert (django[0], django[2]) == (fastapi[0], fastapi[2]), path


@pytest.mark.parametrize(("app", "path"), [("django", "/core/whoami"), ("fastapi", "/api/v2/whoami")])
def test_forwarding_headers_are_believed_only_from_trusted_proxies(servers, app, path):
    forged = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}

    trusted = json.loads(servers[app].request("GET", path, headers=forged)[2])
    untrusted = json.loads(servers[app].request("GET", path, headers=forged, source=UNTRUSTED_SOURCE)[2])

    assert (trusted["remote_addr"], trusted["scheme"], trusted["is_secure"]) == ("198.51.100.7", "https", True)
    assert (untrusted["remote_addr"], untrusted["scheme"], untrusted["is_secure"]) == (UNTRUSTED_SOURCE, "http", False)


@pytest.mark.parametrize(("app", "path"), [("django", "/core/blob"), ("fastapi", "/api/v2/blob")])
def test_chunked_uploads_are_read_to_the_end(servers, app, path):
    chunks = [bytes([n]) * 70_000 for n in range(5)]
    connection = servers[app].connection()
    try:
        connection.request("POST", path, body=iter(chunks), encode_chunked=True)
        body = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    assert body == {"bytes": 350_000, "sha256": hashlib.sha256(b"".join(chunks)).hexdigest()}


def test_fastapi_websocket_sees_a_stock_change_made_through_django(servers, product_id):
    with websocket_connect(f"ws://127.0.0.1:{servers['fastapi'].port}/api/v2/ws/stock", open_timeout=10) as ws:
        assert ws.response.headers["X-Backend"] == "fastapi"
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
        ws.send("are you there?")
        assert json.loads(ws.recv(timeout=10)) == {"type": "echo", "data": "are you there?"}

        status, _, body = servers["django"].request(
            "POST", f"/api/products/{product_id}/stock", json.dumps({"stock": 4}), {"Content-Type": "application/json"}
        )
        assert status == 200, body

        update = json.loads(ws.recv(timeout=10))
        assert (update["type"], update["product_id"], update["stock"]) == ("stock", product_id, 4)
        assert update["updated_at"] == json.loads(body)["updated_at"]


@pytest.fixture
def shadow_product(django_setup, servers):
    from shop.models import Category, Customer, Order, Product

    category = Category.objects.create(slug="shadow-serving", name="Shadow serving")
    product = Product.objects.create(sku="SH-1", name="Shadowed", category=category, price="2.00", stock=10)
    yield product
    orders = Order.objects.filter(lines__product=product)
    customers = list(Customer.objects.filter(orders__in=orders).values_list("pk", flat=True))
    orders.delete()
    Customer.objects.filter(pk__in=customers).delete()
    product.delete()
    category.delete()


def _order_count(product) -> int:
    from shop.models import Order

    return Order.objects.filter(lines__product=product).count()


def _stock(product) -> int:
    product.refresh_from_db()
    return product.stock


def test_django_rolls_back_a_shadow_order_only_from_its_trusted_proxy(servers, shadow_product):
    body = json.dumps(
        {"customer_email": "shadow@example.com", "lines": [{"product_id": shadow_product.pk, "quantity": 2}]}
    )
    headers = {"Content-Type": "application/json", "X-Tandem-Shadow": "1"}

    status, response_headers, content = servers["django"].request("POST", "/api/orders", body, headers)

    assert status == 201, content
    assert response_headers["X-Tandem-Shadow-Rolled-Back"] == "1"
    assert (_stock(shadow_product), _order_count(shadow_product)) == (10, 0)

    status, response_headers, content = servers["django"].request(
        "POST", "/api/orders", body, headers, source=UNTRUSTED_SOURCE
    )

    assert status == 201, content
    assert "X-Tandem-Shadow-Rolled-Back" not in response_headers
    assert (_stock(shadow_product), _order_count(shadow_product)) == (8, 1)


@pytest.mark.parametrize(
    ("source", "forwarded_for", "rolled_back"),
    [
        # As the gateway sends it: from the trusted proxy, naming the client, which uvicorn then reports.
        (None, "198.51.100.7", True),
        (None, None, True),
        (UNTRUSTED_SOURCE, None, False),
        # A forged X-Forwarded-For naming the sender itself does not make it a proxy.
        (UNTRUSTED_SOURCE, UNTRUSTED_SOURCE, False),
        (UNTRUSTED_SOURCE, "198.51.100.7", False),
    ],
)
def test_fastapi_rolls_back_a_shadow_stock_write_only_from_its_trusted_proxy(
    servers, shadow_product, source, forwarded_for, rolled_back
):
    headers = {"Content-Type": "application/json", "X-Tandem-Shadow": "1"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for

    status, response_headers, content = servers["fastapi"].request(
        "POST", f"/api/v2/products/{shadow_product.pk}/stock", json.dumps({"delta": -3}), headers, source=source
    )

    assert status == 200, content
    assert json.loads(content)["stock"] == 7
    assert (response_headers.get("X-Tandem-Shadow-Rolled-Back") == "1") is rolled_back
    assert _stock(shadow_product) == (10 if rolled_back else 7)


def test_sigterm_stops_both_servers_cleanly_with_connections_open(database_url, tmp_path):
    with running(database_url, tmp_path) as servers:
        idle = [server.connection() for server in servers.values()]
        for connection in idle:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        with websocket_connect(f"ws://127.0.0.1:{servers['fastapi'].port}/api/v2/ws/stock", open_timeout=10) as ws:
            ws.recv(timeout=10)
            exits = {name: server.stop() for name, server in servers.items()}
        for connection in idle:
            connection.close()
    assert exits["django"] == 0
    assert "Shutting down: Master" in servers["django"].log.read_text()
    # uvicorn re-raises the signal once it has shut down, so that its parent sees why it exited.
    assert exits["fastapi"] in (0, -signal.SIGTERM)
    assert "Finished server process" in servers["fastapi"].log.read_text()
