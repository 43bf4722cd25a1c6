"""Shadow requests from the Tandem gateway: computed in full, committed never.

A route that mirrors writes (`mirror { methods = [GET, HEAD, POST], allow-writes = true }`) sends a copy of
each request to a second backend, marked `X-Tandem-Shadow: 1`. Both backends share one database, so the copy
must not write. ShadowRollbackMiddleware runs such a request inside `transaction.atomic()` on every database
and marks the transaction for rollback whatever happens, so the view answers exactly as it would for the real
request (same locks, same constraint checks, its own writes visible to itself) and nothing is committed. The
response says so with `X-Tandem-Shadow-Rolled-Back: 1`.

The header is believed only from a trusted proxy (TANDEM_TRUSTED_PROXIES, decided by TrustedProxyMiddleware,
which must come first). The gateway deletes any copy a client sends, so only the gateway can set it; from any
other peer it is ignored and the request runs, and commits, as usual.

Only database writes are undone. Whatever a view does outside the database (cache, files, e-mail, calls to
other services, tasks queued elsewhere) happens for the shadow too; defer such work with
`transaction.on_commit()`, whose callbacks never run for a shadow request. deploy/README.md lists the rest
(streaming bodies, durable blocks, sequences, locks).
"""

from contextlib import ExitStack

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

SHADOW_META_KEY = "HTTP_X_TANDEM_SHADOW"
ROLLED_BACK_HEADER = "X-Tandem-Shadow-Rolled-Back"


def is_trusted_shadow(request) -> bool:
    """`X-Tandem-Shadow: 1` from a peer that TrustedProxyMiddleware trusts."""
    try:
        trusted = request.META["TANDEM_PEER_TRUSTED"]
    except KeyError:
        raise ImproperlyConfigured(
            "ShadowRollbackMiddleware must come after shop_core.middleware.TrustedProxyMiddleware in MIDDLEWARE"
        ) from None
    return trusted and request.META.get(SHADOW_META_KEY, "").strip() == "1"


class ShadowRollbackMiddleware:
    """Runs a trusted shadow request in a transaction that is always rolled back.

    Place it before every middleware that writes to the database (sessions, auth), so that their writes are
    inside the transaction too: a shadow login saves no session and does not move last_login. The Set-Cookie
    headers of a shadow response never reach a browser: the gateway only compares the response and drops it.
    Views keep their own `atomic()` blocks (they become savepoints) and `select_for_update()`; with
    ATOMIC_REQUESTS the per-view transaction nests the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_shadow(request):
            return self.get_response(request)
        aliases = list(connections)
        with ExitStack() as blocks:
            for alias in aliases:
                blocks.enter_context(transaction.atomic(using=alias))
            try:
                # Exceptions in the view are turned into responses below this middleware; should one get
                # through, the blocks roll back on the way out all the same.
                response = self.get_response(request)
            finally:
                for alias in aliases:
                    transaction.set_rollback(True, using=alias)
        response[ROLLED_BACK_HEADER] = "1"
        return response
