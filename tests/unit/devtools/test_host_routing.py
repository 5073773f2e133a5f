"""The local host picks a route as ASP.NET Core does: literal, then parameter, then catch-all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devtools.functions_host import routing

ROUTES = [  # declared catch-all first: precedence, not order, must decide
    ("page", "{*path}", ["GET"]),
    ("status", "api/transcriptions/{id}", ["GET"]),
    ("create", "api/transcriptions", ["POST"]),
    ("health", "api/health", ["GET"]),
    ("deep", "api/health/deep", ["GET"]),
    ("typed", "api/items/{n:int}", ["GET"]),
    ("named", "api/items/{name}", ["GET"]),
]


def table(prefix: str = "") -> list[routing.HttpRoute]:
    return [
        routing.HttpRoute.from_raw(prefix, name, name, {"route": route, "methods": methods})
        for name, route, methods in ROUTES
    ]


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/", "page", {"path": ""}),
        ("GET", "/app.js", "page", {"path": "app.js"}),
        ("GET", "/a/b/c.css", "page", {"path": "a/b/c.css"}),
        ("GET", "/api/health", "health", {}),
        ("GET", "/API/Health/", "health", {}),
        ("GET", "/api/health/deep", "deep", {}),
        ("GET", "/api/transcriptions/abc", "status", {"id": "abc"}),
        ("POST", "/api/transcriptions", "create", {}),
        ("GET", "/api/transcriptions", "page", {"path": "api/transcriptions"}),  # GET not allowed there
        ("GET", "/api/items/7", "typed", {"n": "7"}),
        ("GET", "/api/nowhere", "page", {"path": "api/nowhere"}),
    ],
)
def test_routing_most_specific_route_wins_whatever_the_order(
    method: str, path: str, function: str, params: dict[str, str]
) -> None:
    found = routing.match(table(), method, f"https://app.example{path}")
    assert found is not None and (found[0].function, found[1]) == (function, params)


def test_routing_precedence_digits_are_those_of_aspnet_core() -> None:
    by_name = {route.function: route.precedence for route in table()}
    assert by_name["page"] == Decimal(5)
    assert by_name["health"] == Decimal("1.1")
    assert by_name["status"] == Decimal("1.13")
    assert by_name["typed"] == Decimal("1.12")  # a constrained parameter before a plain one


def test_routing_with_the_default_prefix_keeps_routes_under_api_and_no_route_is_404() -> None:
    routes = [routing.HttpRoute.from_raw("api", "f", "f", {"route": "items/{id}", "methods": ["GET"]})]
    assert routing.match(routes, "GET", "https://app.example/api/items/1") is not None
    assert routing.match(routes, "GET", "https://app.example/items/1") is None
    assert routing.match(routes, "POST", "https://app.example/api/items/1") is None
    assert routing.match(table(), "POST", "https://app.example/nowhere") is None
