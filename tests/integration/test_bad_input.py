"""Bad input is a 4xx naming the field, never a 500: each class of bad value is sent to
every command and query of the OpenAPI document, one value at a time, and the log does not
grow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator, get_args
from urllib.parse import quote

import pytest

from domain.commands import AnyCommand
from tests.api_fixtures import Api, start

BAD_DAYS = ["2026-02-30", "2026-13-01", "2101-01-01", "9999-12-31", "1999-12-31"]
BAD_INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:30:00Z", "9999-12-31T23:59:59-14:00",
                "2026-03-02T14:00:00"]
BAD_MONTHS = ["2026-13", "2026-00", "2101-01", "1999-12"]
BAD_TEXT = ["Salle\u0000B", "sonnette\u0007", "\u001b[2Jeffacé", "a\ud800b", "inversé\u202e"]
BAD_NUMBERS = [10**30, -(10**30)]

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
COMMAND_TAGS = {member.model_fields["command"].default for member in get_args(get_args(AnyCommand)[0])}
# Bodies the OpenAPI document gives no example for.
BODIES = {"/sql": {"sql": "SELECT 1"}}


def bad_values(example: Any) -> list[Any]:
    """The bad values of the class an example value belongs to."""
    if isinstance(example, bool):
        return []
    if isinstance(example, int):
        return BAD_NUMBERS
    if not isinstance(example, str):
        return []
    if _DAY.match(example):
        return BAD_DAYS
    if _INSTANT.match(example):
        return BAD_INSTANTS
    if _MONTH.match(example):
        return BAD_MONTHS
    return BAD_TEXT


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every scalar of a JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def replaced(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [replaced(item, rest, new) if i == head else item for i, item in enumerate(value)]


def _example(schema_holder: dict) -> Any:
    for holder in (schema_holder, schema_holder.get("schema", {})):
        if "example" in holder:
            return holder["example"]
        if holder.get("examples"):
            return holder["examples"][0]
    return None


def cases(openapi: dict) -> Iterator[tuple[str, str, dict, dict, Any, str, Any]]:
    """(method, path, path params, query params, body, field at fault, bad value)."""
    for template, operations in openapi["paths"].items():
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
            path_params = {p["name"]: _example(p) for p in params if p["in"] == "path"}
            required = {p["name"]: _example(p) for p in params if p["in"] == "query" and p.get("required")}
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body = BODIES.get(template, _example(media) if media else None)
            for param in params:
                example = _example(param)
                # A URL carries UTF-8: a lone surrogate cannot even be sent there.
                for bad in (b for b in bad_values(example) if b != "a\ud800b"):
                    where = path_params | ({param["name"]: bad} if param["in"] == "path" else {})
                    query = required | ({param["name"]: bad} if param["in"] == "query" else {})
                    yield method.upper(), template, where, query, body, param["name"], bad
            if body is not None:
                for path, example in leaves(body):
                    for bad in bad_values(example):
                        field = ".".join(str(part) for part in path)
                        yield method.upper(), template, path_params, required, replaced(body, path, bad), field, bad


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    api = start(tmp_path_factory.mktemp("bad-input"))
    yield api
    api.client.__exit__(None, None, None)


def _log_end(api: Api) -> int:
    return api.client.app.state.services.ledger.recorder.max_notification_id()


def _url(template: str, path_params: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(str(path_params[m[1]]), safe=""), template)


def test_every_class_of_bad_value_reaches_every_operation(api: Api) -> None:
    """The sweep is not vacuous: each operation with parameters or a body gets bad values,
    and every class of bad value is sent somewhere."""
    openapi = api.client.get("/openapi.json").json()
    swept = {(method, template) for method, template, *_ in cases(openapi)}
    with_inputs = {(method.upper(), template) for template, ops in openapi["paths"].items()
                   for method, op in ops.items()
                   if "requestBody" in op or any(p["in"] in ("path", "query") for p in op.get("parameters", []))}
    assert swept == with_inputs
    sent = {bad for *_, bad in cases(openapi)}
    for values in (BAD_DAYS, BAD_INSTANTS, BAD_MONTHS, BAD_TEXT, BAD_NUMBERS):
        assert set(values) <= sent


def test_each_bad_value_is_a_4xx_problem_naming_its_field_and_records_nothing(api: Api) -> None:
    """For every case: 4xx, a problem document whose `field` is the one that was spoiled,
    and the log unchanged."""
    openapi = api.client.get("/openapi.json").json()
    failures = []
    for method, template, path_params, query, body, field, bad in cases(openapi):
        before = _log_end(api)
        who = "analyst" if template == "/sql" else "coordinator"
        # Sent as ASCII JSON, as a client escaping a lone surrogate would.
        response = api.client.request(method, _url(template, path_params), params=query,
                                      content=None if body is None else json.dumps(body),
                                      headers=api.headers(who) | {"Content-Type": "application/json"})
        problem = response.json() if response.headers.get("content-type", "").startswith(
            "application/problem+json") else {}
        # pydantic names a command of a batch by its tag too: 'commands.0.book_slot.starts_at'.
        named = ".".join(part for part in str(problem.get("field")).split(".") if part not in COMMAND_TAGS)
        if not (400 <= response.status_code < 500 and named == field and _log_end(api) == before):
            failures.append(f"{method} {template} {field}={bad!r}: {response.status_code} "
                            f"field={problem.get('field')!r} {response.text[:160]}")
    assert not failures, "\n".join(failures)


def test_a_body_that_is_not_json_says_where_it_breaks(api: Api) -> None:
    """A JSON syntax error is a 400 on field `body` giving the line and column, for every
    operation that takes a body."""
    openapi = api.client.get("/openapi.json").json()
    broken = '{\n  "resource_id": "salle-vercors",\n  "name": ,\n}'
    for template, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            path_params = {p["name"]: _example(p) for p in operation.get("parameters", []) if p["in"] == "path"}
            response = api.client.request(method.upper(), _url(template, path_params), content=broken,
                                          headers=api.headers("coordinator") | {"Content-Type": "application/json"})
            assert response.status_code == 400, (template, response.text)
            assert response.json()["field"] == "body"
            assert "line 3, column 11" in response.json()["detail"], response.json()["detail"]
