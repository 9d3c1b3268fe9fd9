"""The JSON API under ``/api/v1/``: each app's router, one error format for every 4xx.

Every error body is ``{"error": {"code": "...", "message": "...", "details": [...]}}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from vigie.accounts.access import public
from vigie.accounts.api import router as accounts_router
from vigie.accounts.ratelimit import FIXED_ANSWER, limited_elsewhere
from vigie.consent.api import router as consent_router
from vigie.disclosures.api import router as disclosures_router
from vigie.people.api import router as people_router
from vigie.rights.api import router as rights_router

api = NinjaAPI(
    title="Vigie API",
    version="1",
    description="Vigie's API for other software. Authenticate with an API key: "
    "`Authorization: Bearer vigie_…` or `X-API-Key: vigie_…`.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/", accounts_router)
api.add_router("/", people_router)
api.add_router("/", consent_router)
api.add_router("/", rights_router)
api.add_router("/", disclosures_router)

#: URL names under /api/v1/ declared public: the OpenAPI schema documents the API
#: and holds no data; the root answers 404 in the error format (docs are off).
#: Every other operation authenticates with ``api_key(...)``.
PUBLIC_API_URL_NAMES = frozenset({"openapi-json", "api-root"})

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
}


def error_body(status: int, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {
        "error": {"code": _CODES.get(status, "error"), "message": message, "details": details or []}
    }


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": list(err.get("loc", [])), "msg": str(err.get("msg", ""))} for err in exc.errors
    ]
    return api.create_response(request, error_body(422, "Invalid request.", details), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, error_body(401, "A valid API key is required."), status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, error_body(exc.status_code, str(exc.message)), status=exc.status_code
    )


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        error_body(413, f"The request body is larger than {limit} bytes (VIGIE_MAX_REQUEST_MB)."),
        status=413,
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(404, "Not found."), status=404)


@public
# A fixed answer that reads and writes nothing: nothing to limit.
@limited_elsewhere(FIXED_ANSWER)
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer in the API's error format too."""
    return JsonResponse(error_body(404, "No such API route."), status=404)


class ApiErrorFormatMiddleware:
    """Give every 4xx under /api/v1/ the error format, even those Django or ninja
    produce before a handler runs (405 wrong method, 400 bad host, 413 too large)."""

    prefix = "/api/v1/"

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(self.prefix)
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            message = {405: "Method not allowed."}.get(status, "Request refused.")
            replacement = JsonResponse(error_body(status, message), status=status)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
