"""Error responses in the shapes Django's API uses: {"detail": ...} and, for bad input,
{"detail": ..., "errors": {field: [message, ...]}} with status 400 instead of FastAPI's 422."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shop_contract.params import InvalidParameters

from .shadow import ROLLED_BACK_HEADER, rolled_back

BACKEND_HEADERS = {"X-Backend": "fastapi"}

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InvalidParameters, _invalid_parameters)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(Exception, _server_error)


def invalid(errors: dict[str, list[str]], detail: str = "Invalid parameters.") -> JSONResponse:
    return JSONResponse({"detail": detail, "errors": errors}, status_code=400)


def not_found() -> JSONResponse:
    return JSONResponse({"detail": "Not found."}, status_code=404)


async def _invalid_parameters(request: Request, exc: InvalidParameters) -> JSONResponse:
    return invalid(exc.errors)


async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors: dict[str, list[str]] = {}
    in_body = False
    for error in exc.errors():
        source, *path = error["loc"]
        in_body |= source == "body"
        key = ".".join(str(part) for part in path) or "body"
        errors.setdefault(key, []).append(error["msg"])
    return invalid(errors, "Invalid request." if in_body else "Invalid parameters.")


async def _http_exception(request: Request, exc: HTTPException) -> JSONResponse:
    detail = "Not found." if exc.status_code == 404 else exc.detail
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers this from outside every middleware, so the backend header (and, for a shadow whose
    # transaction was rolled back, the shadow's) is set here.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    headers = {**BACKEND_HEADERS, ROLLED_BACK_HEADER: "1"} if rolled_back(request) else BACKEND_HEADERS
    return JSONResponse({"detail": "Internal server error."}, status_code=500, headers=headers)
