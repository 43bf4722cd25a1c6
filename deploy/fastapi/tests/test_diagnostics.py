import hashlib

import pytest
from fastapi.testclient import TestClient

from shop_api.config import Settings
from shop_api.main import create_app


def test_healthz_checks_the_database(client, database_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")


def test_healthz_reports_an_unreachable_database(tmp_path):
    broken = Settings(f"sqlite:///{tmp_path}/missing-dir/x.sqlite3", pool_size=1, max_overflow=0, stock_poll_interval=1)
    with TestClient(create_app(broken)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "backend": "fastapi", "database": "sqlite"}
    assert response.headers["x-backend"] == "fastapi"


def test_unhandled_errors_are_json_500s_marked_with_the_backend(settings):
    app = create_app(settings)

    @app.get("/boom")
    async def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert response.headers["x-backend"] == "fastapi"


def test_whoami_reports_what_the_app_sees(client):
    me = client.get("/api/v2/whoami", headers={"X-Request-Id": "req-9", "X-Forwarded-For": "198.51.100.7"}).json()
    assert me == {
        "backend": "fastapi",
        "remote_addr": "testclient",
        "is_secure": False,
        "scheme": "http",
        "host": "testserver",
        "absolute_uri": "http://testserver/api/v2/whoami",
        "headers": {"x-forwarded-for": "198.51.100.7", "x-request-id": "req-9"},
    }


@pytest.mark.parametrize("size", [0, 1, 65_536, 200_001])
def test_blob_streams_the_pattern(client, size):
    response = client.get(f"/api/v2/blob?size={size}")
    assert response.headers["content-length"] == str(size)
    assert response.content == bytes(i % 256 for i in range(size))


def test_chunked_blob_has_no_length(client):
    response = client.get("/api/v2/blob?size=10&chunked=true")
    assert "content-length" not in response.headers
    assert response.content == bytes(range(10))


@pytest.mark.parametrize("size", ["", "-1", "x", str((1 << 30) + 1), "9" * 5000])
def test_blob_rejects_bad_sizes(client, size):
    response = client.get(f"/api/v2/blob?size={size}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["size"]


def test_posted_blob_is_measured_and_hashed(client):
    payload = bytes(range(256)) * 1000
    response = client.post("/api/v2/blob", content=iter([payload[:1000], payload[1000:]]))
    assert response.json() == {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
