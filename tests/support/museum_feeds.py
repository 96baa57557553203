"""One museum's feed in every protocol the hub harvests, for the Source contract (tests/test_source_contract.py).

A :class:`Feed` holds the museum's objects (key -> title) and the time of each one's last change; each
subclass publishes that state on a real server on 127.0.0.1 the way its protocol does: OAI-PMH
(tests/support/oai_test_server.py), IIIF Change Discovery and an RDF dump (the file server), a SPARQL
endpoint (``oxigraph serve`` behind a proxy that counts requests). Every feed counts the requests it got.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from harvesters.guard import FeedGuard
from ontology.iris import IriMinter
from store import ManagedOxigraphServer
from tests.support.file_server import FileServer
from tests.support.lido_records import lido
from tests.support.loopback_server import LoopbackServer
from tests.support.oai_test_server import OaiTestServer

MINTER = IriMinter("https://hub.example.org")
GUARD = FeedGuard(["127.0.0.0/8"])
MUSEUM = "contract"
START = datetime(2025, 3, 1, tzinfo=UTC)
RDF_BASE = "http://collection.example.org/id/object/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LINKED_ART = "https://linked.art/ns/v1/linked-art.json"
JSONLD = "application/ld+json"
PAGE = 2  # records per page: three pages for six objects


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Feed:
    """One museum's objects (key -> title) with the time of each one's last change (a minute apart), as
    one protocol publishes them; :meth:`render` puts the current state on the feed's server."""

    protocol = ""
    format = ""
    options: dict[str, Any] = {"page_size": PAGE}

    def __init__(self) -> None:
        self.titles: dict[str, str] = {}
        self.gone: set[str] = set()
        self.stamps: dict[str, str] = {}
        self.log: list[tuple[str, str, str]] = []  # (time, key, Create | Update | Delete)
        self.ticks = 0

    def change(self, **titles: str | None) -> None:
        for key, title in titles.items():
            self.ticks += 1
            self.stamps[key] = stamp(START + timedelta(minutes=self.ticks))
            kind = "Delete" if title is None else "Update" if key in self.titles else "Create"
            self.log.append((self.stamps[key], key, kind))
            if title is None:
                self.titles.pop(key, None)
                self.gone.add(key)
            else:
                self.titles[key] = title
                self.gone.discard(key)
        self.render()

    @property
    def now(self) -> str:
        """The feed's clock: half a minute after its last change."""
        return stamp(START + timedelta(minutes=self.ticks, seconds=30))

    def by_time(self) -> list[str]:
        """Every key the feed has or had, oldest change first."""
        return sorted(self.titles.keys() | self.gone, key=lambda k: self.stamps[k])

    def expected(self) -> dict[str, str]:
        """Hub object IRI -> title, for what the feed has now."""
        return {MINTER.object(MUSEUM, self.identifier(k)): t for k, t in self.titles.items()}

    def identifier(self, key: str) -> str:
        raise NotImplementedError

    def render(self) -> None:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    def requests(self) -> int:
        raise NotImplementedError

    def linked_art(self, key: str) -> dict[str, Any]:
        title = self.titles[key]
        return {"@context": LINKED_ART, "id": self.identifier(key), "type": "HumanMadeObject", "_label": title,
                "identified_by": [{"type": "Name", "content": title}]}

    def ntriples(self) -> str:
        return "".join(
            f"<{RDF_BASE}{k}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CRM}E22_Human-Made_Object> .\n"
            f'<{RDF_BASE}{k}> <{LABEL}> "{t}"@en .\n'
            for k, t in sorted(self.titles.items())
        )


class OaiFeed(Feed):
    protocol, format, options = "oai-pmh", "lido", {}

    def __init__(self) -> None:
        super().__init__()
        self.server = OaiTestServer(page_size=PAGE).start()

    def identifier(self, key: str) -> str:
        return f"oai:contract:{key}"

    def render(self) -> None:
        self.server.now = self.now
        for key in self.titles:
            self.server.put(self.identifier(key), self.stamps[key], lido(key, self.titles[key]))
        for key in self.gone:
            self.server.delete(self.identifier(key), self.stamps[key])

    @property
    def url(self) -> str:
        return self.server.url

    def requests(self) -> int:
        return len(self.server.requests)

    def close(self) -> None:
        self.server.stop()


class FileFeed(Feed):
    """A feed of documents on the loopback file server."""

    def __init__(self) -> None:
        super().__init__()
        self.server = FileServer().start()

    def identifier(self, key: str) -> str:
        return f"{self.server.url}/object/{key}"

    def requests(self) -> int:
        return len(self.server.requests)

    def close(self) -> None:
        self.server.stop()


class DiscoveryFeed(FileFeed):
    protocol, format = "iiif-discovery", "linked-art"

    def render(self) -> None:
        for key in self.titles:
            self.server.put(f"/object/{key}", json.dumps(self.linked_art(key)), JSONLD)
        for key in self.gone:
            self.server.remove(f"/object/{key}")
        ctx = "http://iiif.io/api/discovery/1/context.json"
        items = [{"type": kind, "object": {"id": self.identifier(key), "type": "HumanMadeObject"}, "endTime": at}
                 for at, key, kind in self.log]
        pages = [items[i : i + PAGE] for i in range(0, len(items), PAGE)]
        for n, page_items in enumerate(pages):
            page: dict[str, Any] = {"@context": ctx, "id": self.page_url(n), "type": "OrderedCollectionPage",
                                    "partOf": {"id": self.url, "type": "OrderedCollection"},
                                    "orderedItems": page_items}
            if n > 0:
                page["prev"] = {"id": self.page_url(n - 1), "type": "OrderedCollectionPage"}
            if n < len(pages) - 1:
                page["next"] = {"id": self.page_url(n + 1), "type": "OrderedCollectionPage"}
            self.server.put(f"/activity/page-{n}", json.dumps(page), JSONLD)
        self.server.put("/activity/all-changes", json.dumps({
            "@context": ctx, "id": self.url, "type": "OrderedCollection", "totalItems": len(items),
            "first": {"id": self.page_url(0), "type": "OrderedCollectionPage"},
            "last": {"id": self.page_url(len(pages) - 1), "type": "OrderedCollectionPage"}}), JSONLD)

    def page_url(self, n: int) -> str:
        return f"{self.server.url}/activity/page-{n}"

    @property
    def url(self) -> str:
        return f"{self.server.url}/activity/all-changes"


class DumpFeed(FileFeed):
    protocol, format = "rdf-dump", "crm-rdf"

    def identifier(self, key: str) -> str:
        return RDF_BASE + key

    def render(self) -> None:
        self.server.put("/dump.nt", self.ntriples(), "application/n-triples")

    @property
    def url(self) -> str:
        return f"{self.server.url}/dump.nt"


class CountingProxy:
    """The SPARQL endpoint (``oxigraph serve``) behind a loopback server that records every request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.http = LoopbackServer(self).start()

    def __call__(self, environ, start_response):
        request = Request(environ)
        answer = requests.request(request.method, self.upstream + request.path, params=request.args,
                                  data=request.get_data(), timeout=10, headers={
                                      "Content-Type": request.content_type or "",
                                      "Accept": request.headers.get("Accept", "*/*")})
        response = Response(answer.content, status=answer.status_code,
                            content_type=answer.headers.get("Content-Type"))
        return response(environ, start_response)


class SparqlFeed(Feed):
    protocol, format = "sparql", "crm-rdf"

    def __init__(self, server: ManagedOxigraphServer) -> None:
        super().__init__()
        self.partner = server.store("urn:unused:provenance")
        self.proxy = CountingProxy(server.url)

    def identifier(self, key: str) -> str:
        return RDF_BASE + key

    def render(self) -> None:
        self.partner.update("DROP ALL")
        self.partner.bulk_load(self.ntriples().encode())

    @property
    def url(self) -> str:
        return f"{self.proxy.http.url}/query"

    def requests(self) -> int:
        return len(self.proxy.http.requests)

    def close(self) -> None:
        self.proxy.http.stop()
        self.partner.close()
