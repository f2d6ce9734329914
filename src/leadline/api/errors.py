"""One error body for every error: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadline import errors as leadline_errors
from leadline.domain import jsonio
from leadline.errors import (
    InputError,
    LeadlineError,
    NotFoundError,
    NotReady,
    RecordsError,
    WriteBusy,
)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    503: "busy",
}
RETRY_AFTER = str(leadline_errors.RETRY_AFTER)


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, code: str | None = None, details: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details or []


def decode_json(raw: bytes) -> Any:
    """A request's JSON body; 400 naming the problem (invalid, or nested too deeply)."""
    try:
        return jsonio.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}") from None


def body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int, code: str, message: str, details: list[Any] | None = None
) -> JSONResponse:
    return JSONResponse(body(code, message, details), status_code=status)


def building(exc: NotReady) -> JSONResponse:
    """202: the profile's first build is running (in the background); ask again later."""
    content = {
        "status": "building",
        "message": exc.message,
        "profile": exc.profile,
        "progress": {"done": exc.done, "total": exc.total},
    }
    return JSONResponse(content, status_code=202, headers={"Retry-After": RETRY_AFTER})


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(LeadlineError)
    async def _leadline(_: Request, exc: LeadlineError) -> JSONResponse:
        if isinstance(exc, WriteBusy):
            response = error_response(503, exc.code, exc.message, exc.details)
            response.headers["Retry-After"] = RETRY_AFTER
            return response
        if isinstance(exc, NotReady):
            return building(exc)
        if isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, RecordsError | InputError):
            status = 422
        else:
            status = 500 if exc.code == "store_error" else 400
        return error_response(status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}"
            for err in exc.errors()
        ]
        return error_response(422, "invalid_input", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RecursionError)
    async def _too_deep(_: Request, exc: RecursionError) -> JSONResponse:
        # A backstop: bodies are depth-checked when decoded (domain/jsonio.py).
        return error_response(400, "bad_request", "the input is nested too deeply")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "internal_error", f"unexpected error: {type(exc).__name__}")
