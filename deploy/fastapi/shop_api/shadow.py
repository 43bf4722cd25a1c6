"""Shadow requests from the Tandem gateway: computed in full, committed never (as deploy/django/shop_core/shadow.py).

A route that mirrors writes sends a copy of each request to a second backend, marked `X-Tandem-Shadow: 1`. Both
backends share one database, so the copy must not write. Two parts:

- ShadowMiddleware decides, once per request, whether it is a shadow to believe (the header, from a trusted
  proxy), keeps the answer in `request.state.tandem_shadow`, and marks the response
  `X-Tandem-Shadow-Rolled-Back: 1` when a transaction was rolled back because of it.
- WriteConnection, the dependency every write endpoint takes its connection from: one transaction, committed
  after the endpoint returns and before the response is sent, or rolled back instead for a shadow. The
  endpoint's code is the same either way, so a shadow gets the same status and body as a real request
  (its own writes are visible to it), and nothing reaches the database. A rolled-back change never becomes
  visible, so the stock WebSocket, which polls the database for changes, never broadcasts it.

A write made on any other connection (`engine.begin()` in an endpoint) is not covered: write endpoints must
take WriteConnection.
"""

import ipaddress
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Network

SHADOW_HEADER = b"x-tandem-shadow"
ROLLED_BACK_HEADER = "X-Tandem-Shadow-Rolled-Back"
_STATE_SHADOW = "tandem_shadow"
_STATE_ROLLED_BACK = "tandem_shadow_rolled_back"


class ShadowMiddleware:
    """Pure ASGI, so streamed bodies pass untouched; HTTP only (a WebSocket has no writes to roll back)."""

    def __init__(self, app: ASGIApp, trusted_proxies: tuple[Network, ...]):
        self.app = app
        self.trusted = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[_STATE_SHADOW] = is_trusted_shadow(scope, self.trusted)

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get(_STATE_ROLLED_BACK):
                message["headers"] = [*message.get("headers", []), (b"x-tandem-shadow-rolled-back", b"1")]
            await send(message)

        await self.app(scope, receive, send_marked)


def is_trusted_shadow(scope: Scope, trusted: tuple[Network, ...]) -> bool:
    values = [value for name, value in scope["headers"] if name == SHADOW_HEADER]
    return values == [b"1"] and from_trusted_proxy(scope, trusted)


def from_trusted_proxy(scope: Scope, trusted: tuple[Network, ...]) -> bool:
    """Whether the request's TCP peer is a trusted proxy, as far as the app can tell behind uvicorn.

    uvicorn's --proxy-headers (--forwarded-allow-ips = TANDEM_TRUSTED_PROXIES) replaces scope["client"] by the
    address it believes from X-Forwarded-For, and it does so only when the peer is trusted: the peer itself is
    gone by the time the app runs. So the peer was trusted if the client is a trusted address (nothing
    replaced it, or the whole chain is proxies), or if the client is exactly the (host, port) uvicorn derives
    from X-Forwarded-For. A peer uvicorn did not trust keeps its own address and real source port, while a
    forwarded entry without a port (the gateway writes bare addresses) gives port 0; only a client that
    forges an entry naming its own address and source port is mistaken for a shadow, and all it gets is its
    own write rolled back.

    Without uvicorn's rewriting (the in-process test client), scope["client"] is the peer and the first test
    decides.
    """
    client = scope.get("client")
    if not client:
        return False
    host, port = client[0], client[1]
    if _is_trusted(host, trusted):
        return True
    believed = _forwarded_client(scope, trusted)
    return believed is not None and believed == (host, port)


def _forwarded_client(scope: Scope, trusted: tuple[Network, ...]) -> tuple[str, int] | None:
    """The client uvicorn's ProxyHeadersMiddleware would set from X-Forwarded-For (same parsing): the
    rightmost entry that is not a trusted proxy, or the leftmost when all are."""
    values = [value for name, value in scope["headers"] if name == b"x-forwarded-for"]
    if not values:
        return None
    entries = [entry.strip() for entry in b", ".join(values).decode("latin1").split(",")]
    for entry in reversed(entries):
        host, port = _host_port(entry)
        if not _is_trusted(host, trusted):
            return (host, port) if host else None
    host, port = _host_port(entries[0])
    return (host, port) if host else None


def _host_port(entry: str) -> tuple[str, int]:
    if entry.startswith("["):
        end = entry.find("]")
        if end == -1:
            return entry, 0
        host, rest = entry[1:end], entry[end + 1 :]
        if not rest:
            return host, 0
        if not rest.startswith(":"):
            return entry, 0
        try:
            return host, int(rest[1:])
        except ValueError:
            return host, 0
    if entry.count(":") == 1:
        host, port = entry.rsplit(":", 1)
        try:
            return host, int(port)
        except ValueError:
            return entry, 0
    return entry, 0


def _is_trusted(host: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


async def write_transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction: committed when the endpoint returns normally, rolled back when it
    raises, and always rolled back for a shadow. Used with scope="function", so this runs before the
    response is sent: a failed commit is a 500, never a 200 for a write that did not happen."""
    shadow = getattr(request.state, _STATE_SHADOW, False)
    async with request.app.state.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        except BaseException:
            await transaction.rollback()
            if shadow:
                setattr(request.state, _STATE_ROLLED_BACK, True)
            raise
        if shadow:
            await transaction.rollback()
            setattr(request.state, _STATE_ROLLED_BACK, True)
        else:
            await transaction.commit()


def rolled_back(request: Request) -> bool:
    """For responses made outside the middleware (the 500 handler)."""
    return getattr(request.state, _STATE_ROLLED_BACK, False)


WriteConnection = Annotated[AsyncConnection, Depends(write_transaction, scope="function")]
