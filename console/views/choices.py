"""Small JSON endpoints that feed the console's dependent selects from the live metadata and databases.

    sources -> schemas -> tables -> columns;  custom object type -> fields;
    remote schema -> object types -> fields;  remote query field -> arguments

Every answer is ``{"choices": [{"value", "label"}, ...]}``; unknown names give an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, JsonResponse

from console.views.common import console_page
from relationships.browse import Reader


def _answer(choices: Iterable[tuple[str, str] | str]) -> JsonResponse:
    pairs = [(c, c) if isinstance(c, str) else c for c in choices]
    return JsonResponse({"choices": [{"value": value, "label": label} for value, label in pairs]})


@console_page
def sources(request: HttpRequest) -> JsonResponse:
    """The connected sources."""
    return _answer(Reader().source_names())


@console_page
def schemas(request: HttpRequest) -> JsonResponse:
    """The schemas of ``source``'s database."""
    return _answer(Reader().schema_names(request.GET.get("source", "")))


@console_page
def tables(request: HttpRequest) -> JsonResponse:
    """The tables of ``schema`` in ``source``; with ``tracked=1`` only the tracked ones."""
    params = request.GET
    tracked_only = params.get("tracked") == "1"
    names = Reader().table_names(
        params.get("source", ""), params.get("schema", ""), tracked_only=tracked_only
    )
    return _answer(names)


@console_page
def columns(request: HttpRequest) -> JsonResponse:
    """The live columns of ``source``.``schema``.``table``, labelled with their types."""
    params = request.GET
    found = Reader().columns(params.get("source", ""), params.get("schema", ""), params.get("table", ""))
    return _answer((column.name, f"{column.name} ({column.data_type})") for column in found)


@console_page
def type_fields(request: HttpRequest) -> JsonResponse:
    """The fields of the custom object ``type``."""
    return _answer(Reader().object_field_names(request.GET.get("type", "")))


@console_page
def remote_types(request: HttpRequest) -> JsonResponse:
    """The object types of ``remote_schema``."""
    return _answer(Reader().remote_object_type_names(request.GET.get("remote_schema", "")))


@console_page
def remote_fields(request: HttpRequest) -> JsonResponse:
    """The fields of ``type`` in ``remote_schema`` (its query root without ``type``).

    ``without_arguments=1`` keeps the fields that take no arguments: the ones a join can start from.
    """
    params = request.GET
    found = Reader().remote_fields(params.get("remote_schema", ""), params.get("type") or None)
    if params.get("without_arguments") == "1":
        found = [field for field in found if not field.arguments]
    return _answer((field.name, f"{field.name}: {field.type}") for field in found)


@console_page
def remote_arguments(request: HttpRequest) -> JsonResponse:
    """The arguments of the query root field ``field`` of ``remote_schema``."""
    params = request.GET
    found = Reader().remote_arguments(params.get("remote_schema", ""), params.get("field", ""))
    return _answer((argument.name, f"{argument.name}: {argument.type}") for argument in found)
