import ipaddress

from django.conf import settings

# Forwarding headers that only a trusted proxy may set.
FORWARDING_META_KEYS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)


class BackendHeaderMiddleware:
    """Marks every response so the gateway's tests and dashboards can tell which app answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Backend"] = "django"
        return response


class TrustedProxyMiddleware:
    """Believes forwarding headers only from the proxies in TANDEM_TRUSTED_PROXIES.

    From a trusted peer, REMOTE_ADDR becomes the rightmost X-Forwarded-For address that is not itself a
    trusted proxy: everything left of it was written by the client and may be forged. From any other
    peer the forwarding headers are deleted, so SECURE_PROXY_SSL_HEADER and USE_X_FORWARDED_HOST
    cannot be steered by a client that reaches Django directly. The direct peer stays in
    META["TANDEM_PEER_ADDR"], and the decision in META["TANDEM_PEER_TRUSTED"] (True or False), for later
    middleware that must believe only the gateway (shop_core.shadow). Neither key can come from a client:
    request headers reach META as HTTP_* keys.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.TANDEM_TRUSTED_PROXIES

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        meta["TANDEM_PEER_ADDR"] = peer
        trusted = meta["TANDEM_PEER_TRUSTED"] = self._is_trusted(peer)
        if trusted:
            client = self._client_address(meta.get("HTTP_X_FORWARDED_FOR", ""))
            if client:
                meta["REMOTE_ADDR"] = client
        else:
            for key in FORWARDING_META_KEYS:
                meta.pop(key, None)
        return self.get_response(request)

    def _is_trusted(self, address: str) -> bool:
        ip = _parse_ip(address)
        return ip is not None and any(ip in network for network in self.trusted)

    def _client_address(self, forwarded_for: str) -> str | None:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            ip = _parse_ip(hop)
            if ip is None:
                # A malformed entry cannot become REMOTE_ADDR; keep the proxy's address instead.
                return None
            if not any(ip in network for network in self.trusted):
                return str(ip)
        # Every hop is a trusted proxy: the request started at the leftmost one.
        return str(_parse_ip(hops[0])) if hops else None


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None
