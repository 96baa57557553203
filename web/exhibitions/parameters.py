"""Typed parameters of exhibition queries: validation against their type and conversion to RDF terms.

A section query names parameters (``?museum``, ``?from``...); visitors' and curators' values arrive as
text, are validated against the parameter's type (as Redash validates its query parameters) and become
pyoxigraph terms that the store binds with ``query(substitutions=...)``. This module must never write a
value into query text: a title such as ``} ; DROP ALL ; {`` is a string literal, nothing more.

Types: ``iri`` (an absolute IRI), ``literal`` (a string), ``language`` (a BCP 47 tag, bound as a string
so a query compares it with ``LANG()``), ``date`` (a year or an ISO date, bound as ``xsd:dateTime`` so it
compares with the time-spans of the graph model; negative years are BCE), ``number`` (``xsd:integer`` or
``xsd:decimal``), ``search`` (words for the hub's full-text index: the section runner turns them into the
matching objects, ``web.exhibitions.keyword``), ``choice`` (one of the ``?value`` terms a choices query
returns; the term is taken from the query result itself, so a choice can only ever be a value the store
offered).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from store.query_guard import uses_service
from web.errors import HubError

if TYPE_CHECKING:
    from store.base import Store, Term
    from web.exhibitions.document import Parameter

TYPES = ("iri", "literal", "language", "date", "number", "choice", "search")
XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_LENGTH = 2000  # a parameter value is a term, not a document
CHOICES_LIMIT = 500

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,60}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^(-?)(\d{1,})(?:-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class ParameterError(HubError, ValueError):
    """A value does not fit its parameter's type; the message names the parameter and says why."""


def check_name(name: str) -> str:
    """A parameter name must be a SPARQL variable name (without '?')."""
    if not _NAME.match(name or ""):
        raise ParameterError(f"parameter name {name!r}: use letters, digits and '_' (a SPARQL variable name)")
    return name


def to_term(parameter: Parameter, value: str, store: Store | None = None) -> Term:
    """The RDF term for ``value`` as ``parameter``'s type; raises ParameterError with a clear reason and
    the parameter's name as its ``field`` (so a page can say which choice to undo)."""
    try:
        return _to_term(parameter, value, store)
    except ParameterError as exc:
        exc.field = exc.field or parameter.name
        raise


def _to_term(parameter: Parameter, value: str, store: Store | None) -> Term:
    kind = parameter.type
    label = f"parameter {parameter.name!r} ({kind})"
    if not isinstance(value, str):
        raise ParameterError(f"{label}: the value must be text")
    if len(value) > MAX_LENGTH:
        raise ParameterError(f"{label}: the value is longer than {MAX_LENGTH} characters")
    if kind in ("literal", "search"):
        return ox.Literal(value)
    text = value.strip()
    if kind == "iri":
        if not IRI.match(text):
            raise ParameterError(f"{label}: {value!r} is not an absolute IRI (like https://example.org/id/1)")
        try:
            return ox.NamedNode(text)
        except ValueError as exc:
            raise ParameterError(f"{label}: {value!r} is not a valid IRI: {exc}") from None
    if kind == "language":
        if not _LANGUAGE.match(text):
            raise ParameterError(f"{label}: {value!r} is not a language tag (like en, zh, zh-Hant)")
        return ox.Literal(text.lower())
    if kind == "date":
        return _date(label, text)
    if kind == "number":
        return _number(label, text)
    if kind == "choice":
        return _choice(parameter, label, text, store)
    raise ParameterError(f"{label}: unknown type (one of {', '.join(TYPES)})")


def _date(label: str, text: str) -> ox.Literal:
    m = _DATE.match(text)
    if not m:
        raise ParameterError(f"{label}: {text!r} is not a date (a year like 618 or -206, or YYYY-MM-DD)")
    sign, year, month, day, hh, mm, ss = m.groups()
    if len(year) < 4:
        year = year.zfill(4)
    month, day = int(month or 1), int(day or 1)
    hh, mm, ss = int(hh or 0), int(mm or 0), int(ss or 0)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hh < 24 and mm < 60 and ss < 60):
        raise ParameterError(f"{label}: {text!r} is not a valid date")
    lexical = f"{sign}{year}-{month:02d}-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}"
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + "dateTime"))


def _number(label: str, text: str) -> ox.Literal:
    if not _NUMBER.match(text):
        raise ParameterError(f"{label}: {text!r} is not a number (digits, an optional sign and decimal point)")
    try:
        Decimal(text)
    except InvalidOperation:
        raise ParameterError(f"{label}: {text!r} is not a number") from None
    datatype = "decimal" if "." in text else "integer"
    return ox.Literal(text.lstrip("+"), datatype=ox.NamedNode(XSD + datatype))


def choices(store: Store, parameter: Parameter, lang: str = "en", timeout: float | None = None) -> list[dict]:
    """The options of a ``choice`` parameter: ``[{"value": str, "label": str, "term": Term}]``.

    The choices query is a SELECT binding ``?value`` (and optionally ``?label``); when a value has labels
    in several languages, the one in ``lang`` is preferred.
    """
    from store.base import SolutionsResult

    if not parameter.choices_query:
        raise ParameterError(f"parameter {parameter.name!r} (choice) has no choices query")
    if uses_service(parameter.choices_query):
        raise ParameterError(f"parameter {parameter.name!r}: SERVICE is not allowed in a choices query")
    result = store.query(sparql_prologue() + parameter.choices_query, timeout=timeout, limit=CHOICES_LIMIT)
    if not isinstance(result, SolutionsResult) or "value" not in result.variables:
        raise ParameterError(f"parameter {parameter.name!r}: the choices query must be a SELECT binding ?value")
    options: dict[str, dict] = {}
    for row in result.dicts():
        term = row.get("value")
        if term is None or isinstance(term, ox.BlankNode):
            continue
        label = row.get("label")
        text = label.value if isinstance(label, ox.Literal) else term.value
        known = options.get(term.value)
        better = isinstance(label, ox.Literal) and (label.language or "") == lang
        if known is None or better:
            options[term.value] = {"value": term.value, "label": text, "term": term}
    return sorted(options.values(), key=lambda o: o["label"].casefold())


def _choice(parameter: Parameter, label: str, text: str, store: Store | None) -> Term:
    if store is None:
        raise ParameterError(f"{label}: checking a choice needs the store")
    for option in choices(store, parameter):
        if option["value"] == text:
            return option["term"]
    raise ParameterError(f"{label}: {text!r} is not one of the choices")


def bind(
    parameters: Iterable[Parameter], arguments: Mapping[str, str], store: Store | None = None
) -> dict[str, Term]:
    """``{name: term}`` for every parameter, from ``arguments`` or the parameter's default.

    Every parameter must end up with a value (an unbound variable would silently widen the query);
    arguments that name no parameter are refused, so a typo does not pass unnoticed.
    """
    params = list(parameters)
    names = {check_name(p.name) for p in params}
    unknown = sorted(set(arguments) - names)
    if unknown:
        raise ParameterError(f"no parameter named {', '.join(map(repr, unknown))}", field=unknown[0])
    bound: dict[str, Term] = {}
    for p in params:
        if p.type not in TYPES:
            raise ParameterError(f"parameter {p.name!r}: unknown type {p.type!r} (one of {', '.join(TYPES)})")
        value = arguments.get(p.name)
        if value is None or (value == "" and p.type != "literal"):
            value = p.default
        if value is None:
            raise ParameterError(f"parameter {p.name!r} ({p.type}) needs a value", field=p.name)
        bound[p.name] = to_term(p, value, store)
    return bound
