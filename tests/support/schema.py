"""Generating the OpenAPI schema for some URL confs, with drf-spectacular's warnings and errors,
for the tests that keep /api/schema/ complete."""
import re

from django.urls import URLPattern, get_resolver, include, path
from django.urls.resolvers import RegexPattern
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def generate(urlconfs) -> dict:
    """The schema of `urlconfs` mounted under /api/, plus `_warnings` and `_errors` from generation."""
    GENERATOR_STATS.reset()
    patterns = [path("api/", include(urlconf)) for urlconf in urlconfs]
    generated = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    generated["_warnings"] = dict(GENERATOR_STATS._warn_cache)
    generated["_errors"] = dict(GENERATOR_STATS._error_cache)
    return generated


def documented_paths(urlconf: str) -> set[str]:
    """The OpenAPI path of every route of `urlconf` (drf-spectacular names `pk` `id`)."""
    routes = set()
    for pattern in get_resolver(urlconf).url_patterns:
        assert isinstance(pattern, URLPattern)
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):  # a router's route: ^cab/board/(?P<pk>\d+)/retire/$
            text = re.sub(r"\(\?P<(\w+)>[^()]*\)", r"<\1>", text).lstrip("^").removesuffix("$")
        route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", text)
        routes.add(f"/api/{route}")
    return routes
