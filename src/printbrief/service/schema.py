"""The service's OpenAPI document: request bodies from the pydantic models, parameters as strict
as the service (a client generated from it sends nothing the service refuses for its shape)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..issue.load import IssueData
from ..model import Article
from ..paper import PAPER_SIZES


def openapi(app: FastAPI, themes: list[str]) -> dict[str, Any]:
    """OpenAPI with the request bodies' schemas generated from the pydantic models."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Article, IssueData):
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(generated.pop("$defs", {}))
        components[model.__name__] = generated
    # Over HTTP an issue's articles are given inline (paths would name server files).
    issue = components.pop("IssueData")
    issue["properties"]["articles"]["items"] = {"$ref": "#/components/schemas/Article"}
    components["Issue"] = issue
    _strict_parameters(schema, themes)
    app.openapi_schema = schema
    return schema


PAPER_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"enum": list(PAPER_SIZES)},
        {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?x[0-9]+(\.[0-9]+)?(mm|cm|in)$"},
    ],
    "default": "A4",
}
"""A paper size as the service takes it: a registry name or ``WIDTHxHEIGHT`` with a unit."""


def _strict_parameters(schema: dict[str, Any], themes: list[str]) -> None:
    """Query parameters as strict as the service: this server's themes, the paper registry."""
    for path in schema["paths"].values():
        for parameter in path.get("post", {}).get("parameters", []):
            if parameter["name"] == "theme":
                parameter["schema"] = {"enum": themes, "type": "string", "default": "newsbrief"}
            elif parameter["name"] == "paper":
                parameter["schema"] = PAPER_SCHEMA
