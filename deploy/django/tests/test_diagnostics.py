import hashlib

import ipaddress

import pytest
from django.db import connection
from django.test import Client


def whoami(client, **headers):
    response = client.get("/core/whoami", **headers)
    assert response.status_code == 200
    return response.json()


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": "django", "database": connection.vendor}


def test_a_trusted_proxy_sets_client_scheme_and_host():
    me = whoami(
        Client(REMOTE_ADDR="127.0.0.1"),
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="localhost:8080",
        HTTP_X_REQUEST_ID="req-1",
    )
    assert me == {
        "backend": "django",
        "remote_addr": "198.51.100.7",
        "is_secure": True,
        "scheme": "https",
        "host": "localhost:8080",
        "absolute_uri": "https://localhost:8080/core/whoami",
        "headers": {
            "x-forwarded-for": "198.51.100.7",
            "x-forwarded-proto": "https",
            "x-forwarded-host": "localhost:8080",
            "x-request-id": "req-1",
        },
    }


@pytest.mark.parametrize(
    ("forwarded_for", "client_address"),
    [
        # The rightmost address that is not a trusted proxy; the left part is the client's to forge.
        ("203.0.113.9, 198.51.100.7", "198.51.100.7"),
        ("198.51.100.7, 127.0.0.1", "198.51.100.7"),
        ("127.0.0.1", "127.0.0.1"),
        ("not-an-ip", "127.0.0.1"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_rightmost_untrusted_hop(forwarded_for, client_address):
    assert whoami(Client(REMOTE_ADDR="127.0.0.1"), HTTP_X_FORWARDED_FOR=forwarded_for)["remote_addr"] == client_address


def test_an_untrusted_peer_cannot_forge_forwarding_headers():
    me = whoami(
        Client(REMOTE_ADDR="192.0.2.50"),
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert me["remote_addr"] == "192.0.2.50"
    assert me["is_secure"] is False
    assert me["host"] == "testserver"
    assert me["headers"] == {}


def test_trusted_proxies_accept_networks(settings):
    settings.TANDEM_TRUSTED_PROXIES = [ipaddress.ip_network("10.1.0.0/16")]
    assert whoami(Client(REMOTE_ADDR="10.1.2.3"), HTTP_X_FORWARDED_FOR="198.51.100.7")["remote_addr"] == "198.51.100.7"
    assert whoami(Client(REMOTE_ADDR="127.0.0.1"), HTTP_X_FORWARDED_FOR="198.51.100.7")["remote_addr"] == "127.0.0.1"


def test_redirect_points_at_the_public_root():
    response = Client(REMOTE_ADDR="127.0.0.1").get(
        "/core/redirect", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="localhost:8443"
    )
    assert response.status_code == 302
    assert response["Location"] == "https://localhost:8443/"


@pytest.mark.parametrize("size", [0, 1, 65_536, 200_001])
def test_blob_streams_the_pattern(client, size):
    response = client.get(f"/core/blob?size={size}")
    body = b"".join(response.streaming_content)
    assert response["Content-Length"] == str(size)
    assert body == bytes(i % 256 for i in range(size))


def test_chunked_blob_has_no_length(client):
    response = client.get("/core/blob?size=10&chunked=true")
    assert "Content-Length" not in response
    assert b"".join(response.streaming_content) == bytes(range(10))


@pytest.mark.parametrize("size", ["", "-1", "x", str((1 << 30) + 1), "9" * 5000])
def test_blob_rejects_bad_sizes(client, size):
    response = client.get(f"/core/blob?size={size}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["size"]


def test_posted_blob_is_measured_and_hashed():
    payload = bytes(range(256)) * 1000
    response = Client(enforce_csrf_checks=True).post(
        "/core/blob", data=payload, content_type="application/octet-stream"
    )
    assert response.json() == {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
