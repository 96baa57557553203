"""Validating a mapped record against the hub's SHACL shapes (``ontology/shapes.ttl``).

Record triples in, results out: :func:`validate_record` takes a record's N-Triples (its own graph plus
the shared term descriptions it produced) and returns a :class:`Report`. A report with a result of
severity ``Violation`` does not conform, and :meth:`Report.reason` is the text a harvest quarantines the
record with (the shapes' ``sh:message``); warnings (no date span, no image...) never block.

Two evaluators give the same results:
- :mod:`ontology.shacl`, compiled once from the shapes, runs in the harvest (~0.1 ms per record);
- :func:`pyshacl_report`, the reference (pyshacl over an rdflib graph, 6-9 ms per record), for tests and
  for checking a single record by hand. tests/test_validation.py holds them equal on every fixture and
  sample record.

It lives in ``ontology/`` with the shapes because it checks the graph model (MODEL.md), whatever
produced the triples: XML mappings, Linked Art JSON-LD or RDF dumps all go through it, and
``mappings``, ``harvesters`` and ``web`` may all depend on ``ontology``. Pure: no store, no network;
the only file it reads is the shapes file it is given (the packaged one by default).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ontology.shacl import SH, Result, ShapesError, Validator

__all__ = [
    "SHAPES_PATH",
    "Report",
    "Result",
    "ShapesError",
    "default_validator",
    "pyshacl_report",
    "validate_record",
]

SHAPES_PATH = Path(__file__).resolve().with_name("shapes.ttl")


@dataclass(frozen=True)
class Report:
    """The results of validating one record."""

    results: tuple[Result, ...]

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when no result has severity Violation (warnings and infos do not block)."""
        return not self.violations

    def reason(self) -> str:
        """The quarantine reason: each violated shape's message once, in order."""
        messages = dict.fromkeys(r.message or f"{r.component} on {_path_text(r.path)}" for r in self.violations)
        return "SHACL: " + "; ".join(messages)

    def keys(self) -> set[tuple[str, str | tuple[str, ...], str]]:
        """(focus, path, severity) of every result: what two evaluators must agree on."""
        return {(r.focus, r.path, r.severity) for r in self.results}


def _path_text(path: str | tuple[str, ...]) -> str:
    return "/".join(path) if isinstance(path, tuple) else path


@lru_cache(maxsize=8)
def _validator(path: Path) -> Validator:
    return Validator.from_turtle(path.read_bytes(), base_iri=path.as_uri())


_DEFAULT: list[Validator] = []  # the packaged shapes, compiled on first use


def default_validator(shapes: Path | None = None) -> Validator:
    """The compiled shapes (the packaged ``shapes.ttl`` unless ``shapes`` is given), compiled once."""
    if shapes is None:
        if not _DEFAULT:  # called per record: no path resolution (a system call) on the way
            _DEFAULT.append(_validator(SHAPES_PATH))
        return _DEFAULT[0]
    return _validator(Path(shapes).resolve())


def validate_record(ntriples: str, shared_ntriples: str = "", *, validator: Validator | None = None) -> Report:
    """Validate a record's triples (plus the shared term triples it produced) with the compiled shapes."""
    v = validator or default_validator()
    text = ntriples + shared_ntriples if shared_ntriples else ntriples
    return Report(tuple(v.validate(text)))


# --- the reference: pyshacl --------------------------------------------------------------------------


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    # rdflib logs a traceback for every year BCE it cannot turn into a Python datetime; the literal
    # itself is kept, and the shapes avoid sh:datatype on dates for that reason (see shapes.ttl).
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@lru_cache(maxsize=8)
def _pyshacl_shapes(path: Path):  # an rdflib Graph; rdflib stays off the import path
    import rdflib

    return rdflib.Graph().parse(path, format="turtle")


def _component(iri: str) -> str:
    """``sh:MinCountConstraintComponent`` -> ``minCount`` (the constraint's own name, as ontology.shacl)."""
    name = iri.removeprefix(SH).removesuffix("ConstraintComponent")
    return name[:1].lower() + name[1:]


def pyshacl_report(ntriples: str, shared_ntriples: str = "", *, shapes: Path | None = None) -> Report:
    """Validate with pyshacl (the reference implementation); same :class:`Report` shape as the fast path."""
    import rdflib
    from pyshacl import validate
    from rdflib.collection import Collection

    path = Path(shapes or SHAPES_PATH).resolve()
    with _quiet_rdflib(), warnings.catch_warnings():
        # rdflib warns when it writes an ill-typed number ("24,5"^^xsd:decimal) as a term: the result
        # says so already.
        warnings.simplefilter("ignore", UserWarning)
        data = rdflib.Graph().parse(data=ntriples + shared_ntriples, format="nt")
        _conforms, graph, _text = validate(data, shacl_graph=_pyshacl_shapes(path), inference="none",
                                           advanced=False, allow_warnings=True)
        sh = rdflib.Namespace(SH)
        results = []
        for node in graph.subjects(rdflib.RDF.type, sh.ValidationResult):
            raw_path = graph.value(node, sh.resultPath)
            if isinstance(raw_path, rdflib.URIRef):
                path_key: str | tuple[str, ...] = str(raw_path)
            else:
                path_key = tuple(str(p) for p in Collection(graph, raw_path))
            messages = list(graph.objects(node, sh.resultMessage))
            english = [m for m in messages if (getattr(m, "language", None) or "").startswith("en")]
            value = graph.value(node, sh.value)
            source = graph.value(node, sh.sourceShape)
            results.append(Result(
                focus=graph.value(node, sh.focusNode).n3(),
                path=path_key,
                severity=str(graph.value(node, sh.resultSeverity)).removeprefix(SH),
                message=str((english or messages or [""])[0]),
                component=_component(str(graph.value(node, sh.sourceConstraintComponent))),
                value=value.n3() if value is not None else None,
                shape=str(source) if isinstance(source, rdflib.URIRef) else None,
            ))
    return Report(tuple(results))
