import json
from datetime import datetime, timezone

from django.http import HttpResponse


def json_response(data, status: int = 200) -> HttpResponse:
    """Compact UTF-8 JSON, byte for byte what FastAPI's JSONResponse and Pydantic write for the same
    data, so the gateway can compare the two apps' bodies without normalising them."""
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def format_timestamp(value: datetime) -> str:
    """The API's timestamp format: UTC, always six fractional digits, `Z`."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def not_found() -> HttpResponse:
    return json_response({"detail": "Not found."}, status=404)


def invalid(errors: dict[str, list[str]], detail: str = "Invalid parameters.") -> HttpResponse:
    return json_response({"detail": detail, "errors": errors}, status=400)
