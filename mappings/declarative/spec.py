"""Reading a declarative mapping file (TOML) into compiled rules (``rules.Rule``), with overrides merged on top.

The file format is documented in mappings/README.md. Compilation is strict: an unknown key, target,
template or CRM class, or a path that is not XPath 1.0, raises :class:`MappingFileError` when the mapping
is loaded, never halfway through a harvest. Every path is compiled once here (and a second time without
namespace prefixes where the file asks for it).

Overrides (a museum's field in another place, another identifier) are small tables of the same shape,
deep-merged onto the base file before compiling: tables merge key by key, everything else is replaced,
and ``enabled = false`` switches a rule off.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ontology.namespaces import CRM, PREFIXES
from ontology.ntriples import iri

from ..errors import MappingFileError
from .measurements import DIMENSIONS
from .rules import Rule
from .targets import PRODUCTION_TARGETS, TARGETS, TOP_TARGETS
from .xpaths import Path, PathChain, PathError

_RULE_KEYS = frozenset({"target", "path", "use", "enabled", "lang", "first", "rules", "comment", "resolve"})
_IRI_CONSTS = frozenset({"type", "preferred_type", "alternate_type", "class", "property"})


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` deep-merged onto ``base`` (tables merge, other values replace); inputs untouched."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def expand(curie: str, where: str) -> str:
    """A full IRI for ``prefix:local`` (hub prefixes) or an absolute IRI; CRM names are checked."""
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise MappingFileError(f"{where}: {curie!r} is neither an IRI nor a known prefix:name")
    if prefix == "crm":
        try:
            return CRM.term(local)
        except AttributeError as exc:
            raise MappingFileError(f"{where}: {exc}") from exc
    return PREFIXES[prefix] + local


@dataclass
class Compiler:
    namespaces: dict[str, str]
    strip: tuple[str, ...]
    templates: dict[str, dict[str, Any]]

    def path(self, source: str | list[str], where: str) -> PathChain:
        """A path, or a list of fallback paths, compiled (twice where prefixes are stripped)."""
        sources = [source] if isinstance(source, str) else source
        if not isinstance(sources, list) or not sources:
            raise MappingFileError(f"{where}: a path must be a string or a non-empty list of strings")
        compiled = []
        for text in sources:
            if not isinstance(text, str) or not text.strip():
                raise MappingFileError(f"{where}: a path must be a non-empty string")
            try:
                compiled.append(Path(text, self.namespaces, self.strip))
            except PathError as exc:
                raise MappingFileError(f"{where}: {exc}") from exc
        return PathChain(tuple(compiled))

    def rules(self, table: Mapping[str, Any], allowed: frozenset[str], where: str) -> tuple[Rule, ...]:
        out = []
        for name, spec in table.items():
            if not isinstance(spec, Mapping):
                raise MappingFileError(f"{where}.{name}: a rule must be a table")
            rule = self.rule(name, spec, allowed, f"{where}.{name}")
            if rule is not None:
                out.append(rule)
        return tuple(out)

    def rule(self, name: str, spec: Mapping[str, Any], allowed: frozenset[str], where: str) -> Rule | None:
        if "use" in spec:
            template = self.templates.get(spec["use"])
            if template is None:
                raise MappingFileError(f"{where}: unknown template {spec['use']!r}")
            spec = merge(template, spec)
        if not spec.get("enabled", True):
            return None
        target = spec.get("target")
        if not isinstance(target, str):
            raise MappingFileError(f"{where}: target {target!r} is not allowed here")
        production = target.startswith("production.")
        target_name = target.removeprefix("production.") if production else target
        ok = target_name in PRODUCTION_TARGETS if production else target_name in allowed
        if not ok:
            raise MappingFileError(f"{where}: target {target!r} is not allowed here")
        kind = TARGETS[target_name]
        unknown = set(spec) - _RULE_KEYS - kind.paths - set(kind.consts)
        if unknown:
            raise MappingFileError(f"{where}: unknown keys {sorted(unknown)} for target {target!r}")
        if spec.get("path") is None:
            raise MappingFileError(f"{where}: a rule needs a path")
        paths = self.path(spec["path"], f"{where}.path")
        fields = {k: self.path(spec[k], f"{where}.{k}") for k in kind.paths if k in spec}
        consts = {k: self.const(k, spec.get(k, default), where) for k, default in kind.consts.items()}
        if "namespace" in kind.consts and not consts["namespace"]:
            raise MappingFileError(f"{where}: a {target_name!r} rule needs the vocabulary's namespace")
        children = self.rules(spec.get("rules", {}), kind.children, f"{where}.rules")
        lang = spec.get("lang") or None
        resolve = self.path(spec["resolve"], f"{where}.resolve") if spec.get("resolve") else None
        return Rule(
            name, target_name, kind, paths, fields, consts, children, lang,
            first=bool(spec.get("first")), production=production, resolve=resolve,
        )

    def const(self, key: str, value: Any, where: str) -> Any:
        if value is None:
            return None
        if key in _IRI_CONSTS:
            return iri(expand(value, f"{where}.{key}"))
        if key == "kinds":
            return {str(k).casefold(): iri(expand(v, f"{where}.kinds")) for k, v in value.items()}
        if key == "production_types":
            return frozenset(str(v).casefold() for v in value)
        if key == "link_pattern":
            try:
                return re.compile(value)
            except re.error as exc:
                raise MappingFileError(f"{where}.link_pattern: {exc}") from exc
        if key == "iri" and value not in ("concept", "local"):
            raise MappingFileError(f"{where}.iri: use 'concept' or 'local'")
        if key == "coordinate_order" and value not in ("lat lon", "lon lat"):
            raise MappingFileError(f"{where}.coordinate_order: use 'lat lon' or 'lon lat'")
        if key == "encoding" and value not in ("", "dcmi"):
            raise MappingFileError(f"{where}.encoding: the one encoding known is 'dcmi' (DCMI Point and Box)")
        if key == "namespace":
            return expand(value, f"{where}.namespace")
        if key == "terms":
            return {str(t).replace(" ", "").casefold(): str(t) for t in value}
        if key in ("types", "order"):
            return self.dimension_words(key, value, where)
        return value

    def dimension_words(self, key: str, value: Any, where: str) -> Any:
        """A ``measurements`` rule's word table (word -> dimension) or chain order, checked against the
        dimensions ``measurements.py`` knows."""
        names = list(value.values()) if key == "types" else list(value)
        unknown = [n for n in names if n not in DIMENSIONS]
        if unknown:
            raise MappingFileError(f"{where}.{key}: unknown dimensions {unknown}; known: {sorted(DIMENSIONS)}")
        if key == "types":
            return {str(k).rstrip(".").casefold(): v for k, v in value.items()}
        return tuple(value)


@dataclass(frozen=True)
class MappingSpec:
    """A compiled mapping file: its header and its top-level rules, in file order."""

    name: str
    version: str
    record_tag: str
    bare_tag: str | None
    default_language: str | None
    prefer_uri_prefixes: tuple[str, ...]
    record_id: Rule
    rules: tuple[Rule, ...]
    # Elements a rule's ``resolve`` can reach (relative to the record) and the key each is found by.
    entities: PathChain | None = None
    entity_key: PathChain | None = None


def compile_spec(data: Mapping[str, Any], source: str = "<mapping>") -> MappingSpec:
    header = data.get("mapping")
    if not isinstance(header, Mapping):
        raise MappingFileError(f"{source}: missing [mapping] table")
    for key in ("name", "version", "record"):
        if not isinstance(header.get(key), str):
            raise MappingFileError(f"{source}: [mapping].{key} must be a string")
    namespaces = dict(data.get("namespaces", {}))
    strip = tuple(header.get("strip_prefixes", ()))
    compiler = Compiler(namespaces, strip, dict(data.get("templates", {})))
    rules = compiler.rules(data.get("rules", {}), TOP_TARGETS, f"{source}:rules")
    record_ids = [r for r in rules if r.target_name == "record_id"]
    if len(record_ids) != 1:
        raise MappingFileError(f"{source}: exactly one rule must have target 'record_id'")
    prefix, _, local = header["record"].rpartition(":")
    if prefix and prefix not in namespaces:
        raise MappingFileError(f"{source}: [mapping].record uses undeclared prefix {prefix!r}")
    tag = f"{{{namespaces[prefix]}}}{local}" if prefix else local
    entities = entity_key = None
    if header.get("entities"):
        entities = compiler.path(header["entities"], f"{source}:[mapping].entities")
        entity_key = compiler.path(header.get("entity_key", "@rdf:about"), f"{source}:[mapping].entity_key")
    elif any(_uses_resolve(r) for r in rules):
        raise MappingFileError(f"{source}: a rule uses 'resolve' but [mapping].entities is not set")
    return MappingSpec(
        name=header["name"],
        version=header["version"],
        record_tag=tag,
        bare_tag=local if prefix and prefix in strip else None,
        default_language=header.get("default_language") or None,
        prefer_uri_prefixes=tuple(header.get("prefer_uri_prefixes", ())),
        record_id=record_ids[0],
        rules=rules,
        entities=entities,
        entity_key=entity_key,
    )


def _uses_resolve(rule: Rule) -> bool:
    return rule.resolve is not None or any(_uses_resolve(c) for c in rule.children)
