"""One error format for every 4xx under /api/v1/."""

from __future__ import annotations

from django.test import Client


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_missing_key_is_401_in_the_error_format(client: Client, db) -> None:
    response = client.get("/api/v1/whoami")
    _assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_routes_are_404_in_the_error_format(client: Client, db) -> None:
    _assert_error(client.get("/api/v1/"), 404, "not_found")
    _assert_error(client.get("/api/v1/no/such/thing"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_format(client: Client, db) -> None:
    response = client.post("/api/v1/whoami", HTTP_AUTHORIZATION="Bearer x")
    _assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_the_schema_is_published(client: Client, db) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Vigie API"
    assert "/api/v1/whoami" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {"ApiKeyBearer", "ApiKeyHeaderAuth"} <= set(schemes)
