"""Data for reuse: the dumps (``dumps``), the VoID description (``void``) and the statistics the SPARQL
Service Description shows (:func:`dataset_statistics`). The routes are in ``web.views.reuse``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web.hub import Hub


def dataset_statistics(hub: Hub) -> dict[str, Any]:
    """What the service description says of the default dataset: counts from the current dumps' manifest
    (never built here: the description must stay cheap), the VoID IRI and the hub's dump."""
    from web.reuse.dumps import HUB_DUMP, read_manifest

    base = hub.minter.base
    stats: dict[str, Any] = {"void": f"{base}/.well-known/void", "dumps": [f"{base}/dumps/{HUB_DUMP}"]}
    manifest = read_manifest(hub)
    if manifest is not None:
        stats["triples"] = manifest["quads"]
        stats["entities"] = manifest["objects"]
        stats["modified"] = manifest["built"]
    return stats
