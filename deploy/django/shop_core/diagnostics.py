"""Endpoints for health checks and for the gateway's own tests: they show what Django made of the
forwarding headers and move bodies of any size. deploy/fastapi/shop_api/diagnostics.py mirrors them."""

import hashlib

from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from .http import invalid, json_response

# Echoed by whoami, as the app sees them after TrustedProxyMiddleware.
WHOAMI_HEADERS = (
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Forwarded-Port",
    "Forwarded",
    "Via",
    "X-Request-Id",
)

BLOB_MAX_SIZE = 1 << 30
BLOB_CHUNK = 64 * 1024
# 64 KiB of 0x00..0xff repeated: each chunk continues the pattern, so byte i of any blob is i % 256.
_BLOB_PATTERN = bytes(range(256)) * (BLOB_CHUNK // 256)


@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return json_response({"status": "error", "backend": "django", "database": connection.vendor}, status=503)
    return json_response({"status": "ok", "backend": "django", "database": connection.vendor})


@require_safe
def whoami(request):
    return json_response(
        {
            "backend": "django",
            "remote_addr": request.META.get("REMOTE_ADDR"),
            "is_secure": request.is_secure(),
            "scheme": request.scheme,
            "host": request.get_host(),
            "absolute_uri": request.build_absolute_uri(),
            "headers": {name.lower(): request.headers[name] for name in WHOAMI_HEADERS if name in request.headers},
        }
    )


@require_safe
def redirect_home(request):
    return HttpResponseRedirect(request.build_absolute_uri("/"))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def blob(request):
    """GET ?size=N[&chunked=true] streams N pattern bytes; POST reads the body as a stream and
    answers its length and SHA-256."""
    if request.method == "POST":
        return _receive_blob(request)
    raw = request.GET.get("size", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > BLOB_MAX_SIZE:
        return invalid({"size": [f"Expected an integer from 0 to {BLOB_MAX_SIZE}."]})
    size = int(raw)
    response = StreamingHttpResponse(blob_chunks(size), content_type="application/octet-stream")
    # Without a length gunicorn sends the body chunked, which the gateway's tests also need.
    if request.GET.get("chunked") != "true":
        response["Content-Length"] = str(size)
    return response


def blob_chunks(size: int):
    while size > 0:
        chunk = _BLOB_PATTERN[: min(size, BLOB_CHUNK)]
        size -= len(chunk)
        yield chunk


def _receive_blob(request):
    digest = hashlib.sha256()
    received = 0
    stream = request
    if not request.META.get("CONTENT_LENGTH") and request.META.get("wsgi.input_terminated"):
        # A chunked upload has no Content-Length, so Django would read it as empty; gunicorn
        # de-chunks wsgi.input and ends it at the last chunk, so read that directly.
        stream = request.META["wsgi.input"]
    while chunk := stream.read(BLOB_CHUNK):
        digest.update(chunk)
        received += len(chunk)
    return json_response({"bytes": received, "sha256": digest.hexdigest()})
