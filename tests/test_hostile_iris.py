"""Issue 11: record identifiers that would give objects unreachable IRIs, and IRIs that are not IRIs.

``tests/data/hostile/ids/identifiers.json`` lists identifiers the minter must refuse (``.``, ``..``: no
encoding survives URL normalisation) and identifiers it must mint into IRIs whose page can be requested:
the IRI is valid (RFC 3987), normalising its path changes nothing, and the page route's decoding gives
the same IRI back.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from ontology.iris import IriMinter

FIXTURE = json.loads((Path(__file__).parent / "data" / "hostile" / "ids" / "identifiers.json").read_text())
MINTER = IriMinter("https://hub.example.org")


def browser_path(path: str) -> str:
    """The path a browser requests for ``path`` (WHATWG URL: dot segments, also as %2E, are removed)."""
    segments = [".." if s.lower() in ("..", ".%2e", "%2e.", "%2e%2e") else "." if s.lower() in (".", "%2e")
                else s for s in path.split("/")]
    normal = posixpath.normpath("/".join(segments))
    return normal + "/" if path.endswith("/") and normal != "/" else normal


@pytest.mark.parametrize("source_id", FIXTURE["refused"])
def test_dot_segment_identifiers_are_refused_clearly(source_id: str) -> None:
    with pytest.raises(ValueError, match="cannot name a page"):
        MINTER.object("museum-a", source_id)
    with pytest.raises(ValueError, match="cannot name a page"):
        MINTER.record_graph("museum-a", source_id)  # the harvest quarantines the record on this


@pytest.mark.parametrize("source_id", FIXTURE["minted"])
def test_minted_iris_are_valid_and_their_pages_reachable(source_id: str) -> None:
    from ontology.iris import check_iri

    iri = MINTER.object("museum-a", source_id)
    assert check_iri(iri) == iri
    path = urlsplit(iri).path
    assert browser_path(path) == path, f"a browser requests {browser_path(path)} for {iri}"
    # the object page route gets the path decoded once and mints the IRI again from it
    key = unquote(path.removeprefix("/id/object/museum-a/"))
    assert MINTER.object("museum-a", key) == iri
    assert "#" not in iri and "?" not in iri and not any(c.isspace() or ord(c) < 0x20 for c in iri)


@pytest.mark.parametrize("iri", [
    "https://hub.example.org/id/object/m/..",
    "https://hub.example.org/id/object/m/./x",
    "https://hub.example.org/id/object/m/%2E%2e",
    "https://hub.example.org/id/object/m/x\ny",
    "https://hub.example.org/id/object/m/%zz",
    "https://hub.example.org/id/object/m/%2",
    "https://hub.example.org/id/object/m/a#b#c",
    "https://hub.example.org/id/object/m/x\u0085y",
    "https://hub.example.org/id/object/m/a b",
    "https://hub.example.org/id/object/m/<a>",
    "https://hub.example.org/id/object/m/a{b}",
    "https://hub.ex ample.org/x",
    "id/object/m/x",
    "",
])
def test_check_iri_refuses(iri: str) -> None:
    from ontology.iris import check_iri

    with pytest.raises(ValueError):
        check_iri(iri)


@pytest.mark.parametrize("iri", [
    "https://hub.example.org/id/object/m/a%2F..%2Fb",
    "https://hub.example.org/id/object/m/...",
    "http://[2001:db8::1]:8080/a?q=1&r=%20#frag",
    "https://例え.jp/丝绸?x=1#長袍",
    "urn:isbn:0451450523",
    "http://vocab.getty.edu/aat/300243428",
])
def test_check_iri_accepts(iri: str) -> None:
    from ontology.iris import check_iri

    assert check_iri(iri) == iri
