"""The hub's settings: declared once, in one table, with their defaults and documentation.

Values come, lowest precedence first, from the defaults below, the instance folder's ``hub.toml``
(lower-case names), ``SROM_*`` environment variables (``PORT`` for the web port), then a test
configuration. ``tests/test_settings_docs.py`` fails when a setting here is missing from README.md.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in value.split(",") if v.strip()]


@dataclass(frozen=True)
class Setting:
    name: str  # Flask config key
    env: str  # environment variable
    default: Any
    parse: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("BASE_IRI", "SROM_BASE_IRI", None, str,
            "Base of every IRI the hub mints (objects, graphs, museums). Set it once, before the first "
            "harvest, to the public URL of the hub: IRIs are identifiers and must not change later."),
    Setting("STORE", "SROM_STORE", "oxigraph-server", str,
            "Store backend: `oxigraph-server` (managed `oxigraph serve`, started by `srom serve`), "
            "`virtuoso` (a managed Virtuoso server, or an existing one given by `virtuoso_url`), "
            "`embedded` (pyoxigraph on disk), `memory`, or the URL of a SPARQL 1.1 endpoint "
            "(`QUERY_URL` or `QUERY_URL|UPDATE_URL`)."),
    Setting("STORE_PORT", "SROM_STORE_PORT", 0, int,
            "Loopback port of the managed Oxigraph server, or the HTTP port of the managed Virtuoso "
            "(0 picks a free one)."),
    Setting("VIRTUOSO_MEMORY_MB", "SROM_VIRTUOSO_MEMORY_MB", 1024, int,
            "Memory the managed Virtuoso server uses for its buffers, in MB."),
    Setting("VIRTUOSO_SQL_PORT", "SROM_VIRTUOSO_SQL_PORT", 0, int,
            "Loopback SQL port of the managed Virtuoso server (0 picks a free one)."),
    Setting("VIRTUOSO_URL", "SROM_VIRTUOSO_URL", "", str,
            "An existing Virtuoso to use instead of a managed one (`http://host:8890`; with `store = "
            "\"virtuoso\"`). Its account needs SPARQL_UPDATE."),
    Setting("VIRTUOSO_USER", "SROM_VIRTUOSO_USER", "", str, "Account of the existing Virtuoso (digest auth)."),
    Setting("VIRTUOSO_PASSWORD", "SROM_VIRTUOSO_PASSWORD", "", str, "Password of that account."),
    Setting("SPARQL_TIMEOUT", "SROM_SPARQL_TIMEOUT", 10.0, float,
            "Seconds a public SPARQL query may run before it is cancelled and answered with 503."),
    Setting("SPARQL_ROW_LIMIT", "SROM_SPARQL_ROW_LIMIT", 10000, int,
            "Most rows (or triples) a public SPARQL answer carries; longer answers are cut and say so "
            "in the `X-SROM-Truncated` header."),
    Setting("SPARQL_MAX_QUERY_BYTES", "SROM_SPARQL_MAX_QUERY_BYTES", 100_000, int,
            "Largest SPARQL query text accepted by the public endpoint (413 above it)."),
    Setting("ALLOWED_FEED_NETWORKS", "SROM_ALLOWED_FEED_NETWORKS", [], _list,
            "Comma-separated networks (CIDR) that feed URLs may reach although they are private, "
            "loopback or link-local, e.g. `127.0.0.0/8` for the demo and the tests. Empty: none."),
    Setting("SPARQL_MAX_NESTING", "SROM_SPARQL_MAX_NESTING", 64, int,
            "Deepest bracket nesting a query may have; deeper ones are refused (400) before any parser "
            "sees them (deep nesting overflows the parsers' stacks)."),
    Setting("SPARQL_MAX_OPERATIONS", "SROM_SPARQL_MAX_OPERATIONS", 500, int,
            "Most operations (brackets, operators, separators, group keywords) a query may have (400 above)."),
    Setting("SPARQL_WORKERS", "SROM_SPARQL_WORKERS", 4, int,
            "Public SPARQL queries running at once; more wait briefly, then get 503 with Retry-After "
            "(the web server's other threads stay free for pages)."),
    Setting("SPARQL_BUDGET_SECONDS", "SROM_SPARQL_BUDGET_SECONDS", 60.0, float,
            "Query time each client may use per minute on the public endpoint (then 429 with Retry-After)."),
    Setting("SPARQL_BUDGET_ERRORS", "SROM_SPARQL_BUDGET_ERRORS", 30, int,
            "Failed queries (timeouts, errors, refusals) each client may have per minute (then 429)."),
    Setting("HARVEST_BATCH_SIZE", "SROM_HARVEST_BATCH_SIZE", 500, int,
            "Records written to the store per transaction during a harvest."),
    Setting("HARVEST_MAX_DROP_SHARE", "SROM_HARVEST_MAX_DROP_SHARE", 0.15, float,
            "Largest share of a feed's records a full harvest may remove on its own; above it the removal "
            "waits for confirmation (`srom removals ID --confirm`)."),
    Setting("HARVEST_MAX_RETRIES", "SROM_HARVEST_MAX_RETRIES", 5, int,
            "Retries of a feed request after a timeout, a dropped connection, HTTP 429/5xx or an unusable "
            "page, before the run fails (and can be resumed)."),
    Setting("HARVEST_BACKOFF", "SROM_HARVEST_BACKOFF", 1.0, float,
            "Seconds before the first retry; doubled for each further one (exponential backoff)."),
    Setting("HARVEST_MAX_BACKOFF", "SROM_HARVEST_MAX_BACKOFF", 60.0, float,
            "Longest wait between two retries, also the cap on a server's `Retry-After`."),
    Setting("HARVEST_MAP_WORKER_THRESHOLD", "SROM_HARVEST_MAP_WORKER_THRESHOLD", 5000, int,
            "Feeds announcing at least this many records are mapped in a worker process on another core "
            "(0: never)."),
    Setting("HARVEST_MAX_DOWNLOAD_MB", "SROM_HARVEST_MAX_DOWNLOAD_MB", 4096, int,
            "Largest answer a feed may send, in MB (an RDF dump, spooled to disk); a page read into memory "
            "(JSON, small OAI-PMH answers) is refused above 32 MB whatever this says."),
    Setting("HARVEST_MAX_PAGE_MB", "SROM_HARVEST_MAX_PAGE_MB", 256, int,
            "Largest OAI-PMH ListRecords page, in MB: streamed through a spool (disk above 1 MB) and read "
            "record by record, so it costs disk, not memory."),
    Setting("HARVEST_MAX_RECORD_MB", "SROM_HARVEST_MAX_RECORD_MB", 16, int,
            "Largest record inside an OAI-PMH page, in MB; a larger one is read past (never held) and "
            "quarantined with the reason."),
    Setting("HARVEST_SCHEDULER", "SROM_HARVEST_SCHEDULER", True, _bool,
            "Run the feeds' cron schedules while `srom serve` (or `srom demo`) serves."),
    Setting("HARVEST_MAX_PAGES", "SROM_HARVEST_MAX_PAGES", 200_000, int,
            "Most pages one harvest run lists; a feed that goes on longer (or repeats a resumption token, "
            "which stops the run at once) fails the run with the reason."),
    Setting("HARVEST_MAX_RECORDS", "SROM_HARVEST_MAX_RECORDS", 10_000_000, int,
            "Most records one harvest run lists (see harvest_max_pages)."),
    Setting("HARVEST_IN_WORKER", "SROM_HARVEST_IN_WORKER", True, _bool,
            "Harvests started from the web run in a worker process (`srom harvest`) with a memory cap, "
            "when the store is a server (not `embedded` or `memory`)."),
    Setting("HARVEST_WORKER_MEMORY_MB", "SROM_HARVEST_WORKER_MEMORY_MB", 4096, int,
            "Memory cap of that worker process, in MB."),
    Setting("HTTP_TIMEOUT", "SROM_HTTP_TIMEOUT", 60.0, float,
            "Seconds to wait for a museum's server (connect and read) before the request fails."),
    Setting("MAX_REQUEST_KB", "SROM_MAX_REQUEST_KB", 1024, int,
            "Largest request body the web app reads (forms, JSON, queries), in KB; larger ones get 413."),
    Setting("WEB_THREADS", "SROM_WEB_THREADS", 8, int,
            "Worker threads of the web server started by `srom serve`."),
    Setting("SECRET_KEY", "SROM_SECRET_KEY", None, lambda v: v,
            "Key that signs sessions; generated into the instance folder on first start when unset."),
    Setting("DEBUG_PAGES", "SROM_DEBUG_PAGES", False, _bool,
            "Show Python tracebacks in error pages (never in production)."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def instance_path() -> Path:
    """The instance folder: ``$SROM_HOME`` or ``./instance``, made absolute."""
    return Path(os.environ.get("SROM_HOME", "instance")).resolve()


def load_settings(
    instance: Path, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None,
    *, port: int | None = None,
) -> dict[str, Any]:
    """Resolve every setting for the instance folder ``instance`` (see the module docstring)."""
    environ = os.environ if environ is None else environ
    file_values: dict[str, Any] = {}
    hub_toml = instance / "hub.toml"
    if hub_toml.exists():
        with hub_toml.open("rb") as fh:
            file_values = {k.upper(): v for k, v in tomllib.load(fh).items()}
        unknown = set(file_values) - set(SETTINGS_BY_NAME)
        if unknown:
            raise ValueError(f"{hub_toml}: unknown settings {sorted(unknown)}; see README.md")
    resolved: dict[str, Any] = {}
    for s in SETTINGS:
        raw = s.default
        if s.name in file_values:
            raw = file_values[s.name]
        if s.env in environ:
            raw = environ[s.env]
        try:
            resolved[s.name] = s.parse(raw) if raw is not None else None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"setting {s.name} ({s.env}): invalid value {raw!r}: {exc}") from exc
    if resolved["BASE_IRI"] is None:
        # Unset: the address the hub serves on (``--port``, else ``PORT``), so minted IRIs dereference.
        resolved["BASE_IRI"] = default_base_iri(port or web_port(environ))
    if overrides:
        resolved.update(overrides)
    return resolved


def default_base_iri(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def web_port(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    return int(environ.get("PORT", "5000"))
