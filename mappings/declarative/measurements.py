"""Measurement statements as museums write them in text: ``H. 17 cm, Diam. 9 cm``, ``22 x 15 cm``, ``Wt. 3.9 g``.

Dublin Core has no field for dimensions: they come in ``dc:format`` (or ``dcterms:extent``) as a statement.
:func:`read_statement` reads one into :class:`Measurement` values (a dimension name, a decimal, a unit),
which the ``measurements`` target writes as ``crm:P43_has_dimension`` nodes (ontology/MODEL.md). The
words naming a dimension ("H.", "Höhe", "Diam.") are the mapping file's (its ``types`` table); the
dimensions and units themselves, with the Getty AAT terms Linked Art uses for them, are here.

Statements are split at ``;`` and at commas not inside a number, and within a part at ``x`` / ``×``
between numbers (``22 x 15 cm``: the unit written last applies to the numbers before it; untyped numbers
in such a chain are height, width, depth in that order). A statement that is not understood whole (an
unknown word or unit, no number) is not read at all: :class:`UnreadStatement` says why. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

AAT = "http://vocab.getty.edu/aat/"
#: dimension name -> its AAT type (Linked Art's dimension types)
DIMENSIONS: dict[str, str] = {
    "height": AAT + "300055644",
    "width": AAT + "300055647",
    "depth": AAT + "300072633",
    "diameter": AAT + "300055624",
    "length": AAT + "300055645",
    "thickness": AAT + "300055646",
    "weight": AAT + "300056240",
}
#: unit as written (case-insensitive, without a final '.') -> (its label, its AAT unit)
UNITS: dict[str, tuple[str, str]] = {
    "mm": ("mm", AAT + "300379097"),
    "cm": ("cm", AAT + "300379098"),
    "m": ("m", AAT + "300379099"),
    "in": ("in", AAT + "300379100"),
    "inch": ("in", AAT + "300379100"),
    "inches": ("in", AAT + "300379100"),
    "g": ("g", AAT + "300379225"),
    "kg": ("kg", AAT + "300379226"),
}
#: untyped numbers of an "a x b x c" chain, in order
CHAIN_ORDER = ("height", "width", "depth")

_PARTS = re.compile(r";|,(?!\d)")
_CHAIN = re.compile(r"\s+[x×*]\s+|(?<=\d)\s*[x×*]\s*(?=\d)|\s*×\s*", re.IGNORECASE)
_PIECE = re.compile(
    r"\s*(?:(?P<word>[^\W\d_][^\W\d_.]*\.?(?:\s+[^\W\d_][^\W\d_.]*\.?)*)\s*:?\s*)?"
    r"(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[^\W\d_]+\.?)?\s*"
)


@dataclass(frozen=True)
class Measurement:
    dimension: str | None  # a key of DIMENSIONS, or None (a length of unknown kind)
    value: str  # a decimal as xsd:decimal writes it
    unit: str | None  # a key of UNITS, or None when the statement names none

    @property
    def label(self) -> str:
        unit = UNITS[self.unit][0] if self.unit else ""
        return " ".join(w for w in (self.dimension or "", self.value, unit) if w)


class UnreadStatement(ValueError):
    """A statement that is not (wholly) a measurement: the text says what was not understood."""


def read_statement(text: str, words: Mapping[str, str], order: Sequence[str] = CHAIN_ORDER) -> list[Measurement]:
    """The measurements of ``text``; ``words`` maps a word (lower case, no final '.') to a dimension name.

    Raises :class:`UnreadStatement` when any part of it is not understood.
    """
    found: list[Measurement] = []
    for part in _PARTS.split(text):
        if part.strip():
            found += _read_part(part, words, order)
    if not found:
        raise UnreadStatement("no measurement")
    return found


def _read_part(part: str, words: Mapping[str, str], order: Sequence[str]) -> list[Measurement]:
    pieces: list[tuple[str | None, str, str | None]] = []
    for raw in _CHAIN.split(part.strip()):
        match = _PIECE.fullmatch(raw)
        if match is None:
            raise UnreadStatement(f"{raw.strip()!r} is not a measurement")
        word, number, unit = match.group("word"), match.group("number"), match.group("unit")
        dimension = None
        if word:
            dimension = words.get(_key(word))
            if dimension is None:
                raise UnreadStatement(f"unknown dimension {word!r}")
        if unit:
            if _key(unit) not in UNITS:
                raise UnreadStatement(f"unknown unit {unit!r}")
            unit = _key(unit)
        pieces.append((dimension, number.replace(",", "."), unit))
    last_unit = None
    out: list[Measurement] = []
    chain = len(pieces) > 1 and len(pieces) <= len(order) and all(d is None for d, _, _ in pieces)
    for i, (dimension, number, unit) in reversed(list(enumerate(pieces))):
        last_unit = unit or last_unit  # "22 x 15 cm": the unit written last applies to the numbers before it
        out.append(Measurement(order[i] if chain else dimension, _decimal(number), last_unit))
    return out[::-1]


def _key(word: str) -> str:
    return word.strip().rstrip(".").casefold()


def _decimal(number: str) -> str:
    whole, _, fraction = number.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole
