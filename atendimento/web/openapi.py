"""The OpenAPI 3.1 description served at /openapi.json; the request bodies' schemas are the
pydantic models' own, so the description cannot drift from what is validated."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from atendimento import __version__
from atendimento.web.models import ClientsQuery, HandoverBody, SendBody, TagsBody

REF = "#/components/schemas/{model}"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def _body(model: type) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": REF.format(model=model.__name__)}}}}


def _ok(description: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {"application/json": {
        "schema": {"type": "object"}}}},
            "400": _error("The request is not valid: `details` lists each field"),
            "401": _error("No or wrong bearer token"),
            "404": _error("No such client (or atendimento)"),
            "429": _error("Too many requests: see Retry-After")}


CLIENT_ID = {"name": "id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1},
             "description": "The client's Telegram user id"}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 255},
               "description": "A retry with the same key and text sends nothing again and "
                              "answers as the first request did (for two days)"}


def describe() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(m, "validation") for m in (SendBody, TagsBody, HandoverBody)], ref_template=REF)
    components = dict(schemas.get("$defs", {}))
    components["Error"] = {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"}, "details": {}}}
    query = ClientsQuery.model_json_schema()["properties"]
    parameters = [{"name": name, "in": "query", "required": False, "schema": schema}
                  for name, schema in query.items()]
    acting = {"409": _error("Not possible now (banned, blocked the bot, nothing open)"),
              "502": _error("Telegram refused the message (the thread says why)"),
              "503": _error("The thread could not be opened")}
    bodies = {"413": _error("The body is over 64 KiB"),
              "415": _error("The body is not application/json")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "atendimento", "version": __version__,
                 "description": "The desk's HTTP API. Every /v1 call needs "
                 "`Authorization: Bearer <API_TOKEN>`."},
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/v1/clients": {"get": {
                "summary": "Clients, in id order; `next_cursor` gives the next page",
                "parameters": parameters, "responses": _ok("A page of clients")}},
            "/v1/clients/{id}": {"get": {
                "summary": "One client: their atendimento, tags, and whether a person is "
                "handling them now (`person_handling`, `handover`)",
                "parameters": [CLIENT_ID], "responses": _ok("The client")}},
            "/v1/clients/{id}/atendimentos/{number}": {"get": {
                "summary": "One atendimento's timeline: message ids and times",
                "parameters": [CLIENT_ID, {"name": "number", "in": "path", "required": True,
                                           "schema": {"type": "integer", "minimum": 1}}],
                "responses": _ok("The timeline")}},
            "/v1/clients/{id}/messages": {"post": {
                "summary": "Send the client a message as the bot (it shows in the thread)",
                "parameters": [CLIENT_ID, IDEMPOTENCY], "requestBody": _body(SendBody),
                "responses": {**_ok("Sent", "201"), **acting, **bodies}}},
            "/v1/clients/{id}/tags": {"post": {
                "summary": "Add and remove the client's tags",
                "parameters": [CLIENT_ID], "requestBody": _body(TagsBody),
                "responses": {**_ok("The tags after the change"), **acting, **bodies,
                              "422": _error("Not tags (`details` lists them), or none given")}}},
            "/v1/clients/{id}/end": {"post": {
                "summary": "End the client's open atendimento",
                "parameters": [CLIENT_ID], "responses": {**_ok("Ended"), **acting}}},
            "/v1/clients/{id}/handover": {"post": {
                "summary": "Hand the client over to a person: opens or resumes their "
                "atendimento, posts the summary in the thread, tells the admins; "
                "handover.ended fires when that atendimento ends",
                "parameters": [CLIENT_ID], "requestBody": _body(HandoverBody),
                "responses": {**_ok("Handed over"), **acting, **bodies}}},
            "/healthz": {"get": {"summary": "200 when Telegram and the database answer, "
                                 "503 with the reason otherwise", "security": [],
                                 "responses": {"200": {"description": "Healthy"},
                                               "503": {"description": "Unhealthy"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "security": [],
                                 "responses": {"200": {"description": "Text format"}}}},
        },
    }
