"""Health check and the endpoints the gateway's tests use, mirroring deploy/django/shop_core/diagnostics.py.
The client address and scheme come from uvicorn's --proxy-headers, which believes X-Forwarded-For and
X-Forwarded-Proto only from --forwarded-allow-ips (TANDEM_TRUSTED_PROXIES). uvicorn does not apply
X-Forwarded-Host, so `host` here is always the Host header."""

import asyncio
import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .deps import Engine
from .errors import invalid
from .schemas import BlobReceipt, Health, WhoAmI

router = APIRouter(tags=["diagnostics"])

WHOAMI_HEADERS = (
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-port",
    "forwarded",
    "via",
    "x-request-id",
)
HEALTH_TIMEOUT_SECONDS = 3

BLOB_MAX_SIZE = 1 << 30
BLOB_CHUNK = 64 * 1024
# 64 KiB of 0x00..0xff repeated: each chunk continues the pattern, so byte i of any blob is i % 256.
_BLOB_PATTERN = bytes(range(256)) * (BLOB_CHUNK // 256)


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(engine: Engine) -> Health | JSONResponse:
    database = engine.dialect.name
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return JSONResponse({"status": "error", "backend": "fastapi", "database": database}, status_code=503)
    return Health(status="ok", backend="fastapi", database=database)


@router.get("/api/v2/whoami", response_model=WhoAmI)
async def whoami(request: Request) -> WhoAmI:
    return WhoAmI(
        backend="fastapi",
        remote_addr=request.client.host if request.client else None,
        is_secure=request.url.scheme == "https",
        scheme=request.url.scheme,
        host=request.headers.get("host", ""),
        absolute_uri=str(request.url),
        headers={name: request.headers[name] for name in WHOAMI_HEADERS if name in request.headers},
    )


@router.get(
    "/api/v2/blob",
    response_model=None,
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def send_blob(size: str = "", chunked: str = "") -> StreamingResponse | JSONResponse:
    """Streams `size` pattern bytes (byte i is i % 256); with `chunked=true` the length is left out
    so the body goes chunked."""
    if not (size.isascii() and size.isdigit()) or len(size) > 10 or int(size) > BLOB_MAX_SIZE:
        return invalid({"size": [f"Expected an integer from 0 to {BLOB_MAX_SIZE}."]})
    headers = {} if chunked == "true" else {"Content-Length": size.lstrip("0") or "0"}
    return StreamingResponse(_blob_chunks(int(size)), media_type="application/octet-stream", headers=headers)


@router.post("/api/v2/blob", response_model=BlobReceipt)
async def receive_blob(request: Request) -> BlobReceipt:
    """Reads the body as a stream (never whole) and answers its length and SHA-256."""
    digest = hashlib.sha256()
    received = 0
    async for chunk in request.stream():
        digest.update(chunk)
        received += len(chunk)
    return BlobReceipt(bytes=received, sha256=digest.hexdigest())


async def _blob_chunks(size: int):
    while size > 0:
        chunk = _BLOB_PATTERN[: min(size, BLOB_CHUNK)]
        size -= len(chunk)
        yield chunk
