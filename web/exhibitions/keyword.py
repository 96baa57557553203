"""Keyword search for exhibition sections: a ``search`` parameter's words become the objects they find.

The section runner (``web.exhibitions.queries.run_section``) asks :func:`matching_objects` for the
objects a ``search`` parameter's text finds and binds them as a multi-row ``VALUES ?object { ... }``
block (written by ``store.values``), so the query joins on object IRIs instead of running CONTAINS over
every title of the store.

- **With the text index** (``store.text_index``, kept in step by the harvest): the best
  :data:`SEARCH_LIMIT` objects matching every word, in titles, descriptions and the labels of their terms
  and shared concepts in every language ("silk" finds Seide and 絲綢), folded for case, diacritics and
  traditional/simplified Chinese.
- **Without it** (a store loaded by hand, an instance from before the index, a damaged folder): the old
  shape — CONTAINS over titles and descriptions, case-insensitive — with a warning in the log naming the
  command that builds the index (``srom index rebuild``). Sections keep working either way.

Why a bound, and why 1,000: Oxigraph joins a ``VALUES`` block by looking each value up while the block is
small and switches to hashing the whole other side beyond about a thousand rows (measured at 20,000
objects: a facet with 1,000 keyword hits 85 ms, with 1,024 hits 0.8 s, with 5,000 hits 3.5 s — no faster
than without the keyword). A keyword matching more objects than the bound keeps the best-scored ones.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult, Store
from store.text_index import TextIndex

log = logging.getLogger(__name__)

SEARCH_LIMIT = 1000
CONTAINS_QUERY = """SELECT DISTINCT ?object WHERE {
  ?object a crm:E22_Human-Made_Object .
  ?object rdfs:label|crm:P67i_is_referred_to_by/crm:P190_has_symbolic_content ?text .
  FILTER(CONTAINS(LCASE(STR(?text)), LCASE(?keyword)))
}"""


def matching_objects(store: Store, text_index: TextIndex | None, text: str, *, limit: int = SEARCH_LIMIT,
                     timeout: float | None = None) -> list[str]:
    """IRIs of the objects ``text`` finds, best first (index), or in store order (CONTAINS fallback)."""
    if text_index is not None and text_index.usable():
        return text_index.object_iris(text, limit)
    where = text_index.path if text_index is not None else "(none configured)"
    log.warning("no text index with documents at %s: keyword %r is searched with CONTAINS over titles and "
                "descriptions instead (slow on large stores; run `srom index rebuild`)", where, text[:80])
    if not text.strip():
        return []
    result = store.query(sparql_prologue() + CONTAINS_QUERY, substitutions={"keyword": ox.Literal(text)},
                         timeout=timeout, limit=limit)
    if not isinstance(result, SolutionsResult):
        return []
    return [row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode)]
