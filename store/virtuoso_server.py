"""The managed Virtuoso server: ``virtuoso-t`` (Debian package ``virtuoso-opensource-7``) as a supervised
subprocess on loopback ports, with a generated ``virtuoso.ini`` and its database files in one directory.

This module owns the process and the database's setup; ``store.virtuoso`` talks SPARQL to it. Like the
Oxigraph server (``store.managed`` holds what they share) it binds loopback addresses only and leaves a
state file next to the directory so that ``srom harvest`` finds it (``find_running_virtuoso``).

Setup, once, when the database is created (``isql-vt`` with the factory password, which is then replaced):
- a writer account (``srom``) that may use the digest-protected ``/sparql-auth`` endpoint and run the
  hub's stored procedures: ``SROM_UPDATE`` (a request's operations and an N-Quads file from the spool
  directory in one transaction, which the HTTP endpoint does not do), ``SROM_LOAD`` (the bulk loader on a
  spool file, outside transactions) and ``SROM_CHECKPOINT``;
- the public ``SPARQL`` account keeps ``SPARQL_SELECT`` only; the roles that fetch from the web
  (``SPARQL_SPONGE``, ``SPARQL_LOAD_SERVICE_DATA``, needed for the Sponger, ``get:soft`` and ``SERVICE``)
  are taken from every role; Virtuoso's own graphs (``virtrdf:`` and the others in
  ``store.virtuoso.SYSTEM_GRAPHS``, ~2,500 triples) are made private graphs that only ``dba`` reads, so
  the public account's queries see the hub's graphs only (graph-level security: no measurable cost on
  800k triples, see ``store.virtuoso``); the web paths other than ``/sparql`` and ``/sparql-auth`` (proxy, DAV, SOAP,
  URIQA...) are removed;
- random passwords for ``dba``, ``dav`` and ``srom``, kept in ``DIR/credentials.json`` (mode 0600).

Files in the directory ``DIR``: ``virtuoso.ini`` (rewritten at each start: ports may change),
``virtuoso.db``/``.trx``/``.log`` (the database), ``spool/`` (files for the bulk loader),
``credentials.json``. Next to it: ``DIR.server.json`` and ``DIR.log`` (``store.managed``).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from store.base import StoreError, StoreUnavailable
from store.managed import ManagedServer, free_port, log_path, log_since, now, read_state
from store.virtuoso import DEFAULT_GRAPH, SYSTEM_GRAPHS, VirtuosoStore

WRITER = "srom"
#: bumped when the setup below changes, so that an existing database is set up again
SETUP_VERSION = 2
_PROBE_TIMEOUT = 2.0
#: Virtuoso's graph group of private graphs (graph-level security)
_PRIVATE_GRAPHS = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: pages of 8 kB per MB of ``memory_mb`` (Virtuoso's guidance: 2/3 of the memory given to buffers)
_BUFFERS_PER_MB = 85
#: web paths Virtuoso creates that the hub does not use (proxy and DAV would reach or expose too much)
_UNUSED_PATHS = (
    "/DAV", "/SOAP", "/admin", "/doc", "/images", "/install", "/mime", "/vsmx", "/.well-known", "/URIQA",
    "/uriqa", "/XMLA", "/bank", "/proxy", "/rdf_net", "/sparql-graph-crud", "/sparql-graph-crud-auth",
    "/sparql-sd",
)


def spool_path(location: Path) -> Path:
    """Where the bulk loader reads files from (the one directory in ``DirsAllowed``)."""
    return Path(location).resolve() / "spool"


def credentials_path(location: Path) -> Path:
    return Path(location) / "credentials.json"


def read_credentials(location: Path) -> dict[str, object]:
    try:
        return dict(json.loads(credentials_path(location).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise StoreUnavailable(f"cannot read {credentials_path(location)}: {e}") from e


def find_running_virtuoso(location: Path) -> str | None:
    """The URL of the managed Virtuoso server running on ``location``, or None (see ``managed.read_state``)."""
    state = read_state(location, _answers)
    if state is None or state.get("engine") != "virtuoso":
        return None
    return str(state["url"])


class ManagedVirtuosoServer(ManagedServer):
    """One ``virtuoso-t +foreground`` process on the database directory ``location``."""

    engine = "virtuoso"

    def __init__(
        self,
        location: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout_s: float = 30.0,
        memory_mb: int = 1024,
        *,
        sql_port: int = 0,
        executable: str | Path | None = None,
        isql: str | Path | None = None,
        start_timeout: float = 60.0,
        grace_s: float = 30.0,
    ) -> None:
        super().__init__(location, host, port, start_timeout=start_timeout, grace_s=grace_s)
        if port and not sql_port or sql_port and not port:
            raise ValueError("give both the HTTP and the SQL port, or neither (0: free ones are picked)")
        self.sql_port = sql_port
        self.timeout_s = max(1, math.ceil(timeout_s))
        self.memory_mb = max(64, int(memory_mb))
        self.executable = str(executable) if executable else _find("virtuoso-t")
        self.isql = str(isql) if isql else _find("isql-vt")
        self._check_directory()

    @property
    def spool(self) -> Path:
        return spool_path(self.location)

    def store(self, provenance_graph: str, **kwargs: Any) -> VirtuosoStore:
        """A store for this server: reads on ``/sparql``, writes as the writer account."""
        creds = read_credentials(self.location)
        return VirtuosoStore(
            self.url, provenance_graph, user=WRITER, password=str(creds["writer"]), spool=self.spool, **kwargs
        )

    # --- ManagedServer -------------------------------------------------------------------------
    def _running_elsewhere(self) -> str | None:
        return find_running_virtuoso(self.location)

    def _pick_ports(self) -> None:
        self.port = free_port(self.host)
        self.sql_port = free_port(self.host)
        while self.sql_port == self.port:
            self.sql_port = free_port(self.host)

    def _ports_taken(self, error: StoreUnavailable) -> bool:
        text = str(error).lower()
        return "in use" in text or "failed to start listening" in text or "bind" in text

    def _state(self) -> dict[str, object]:
        return {"engine": self.engine, "sql_port": self.sql_port}

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.location.mkdir(parents=True, exist_ok=True)
        self.spool.mkdir(exist_ok=True)
        (self.location / "www").mkdir(exist_ok=True)  # the web root: empty, nothing to serve
        created = not (self.location / "virtuoso.db").exists()
        ini = self.location / "virtuoso.ini"
        ini.write_text(self._ini(), encoding="utf-8")
        command = [self.executable, "+foreground", "+configfile", str(ini)]
        logfile = log_path(self.location)
        with logfile.open("ab") as out:
            out.write(f"\n--- {now()} {' '.join(command)}\n".encode())
            out.flush()
            offset = out.tell()
            process = subprocess.Popen(
                command, cwd=self.location, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        while not (_answers(self.url) and process.poll() is None):
            if process.poll() is not None or time.monotonic() > deadline:
                if process.poll() is None:
                    process.kill()
                process.wait()
                raise StoreUnavailable(
                    f"the Virtuoso server for {self.location} did not start at {self.url} "
                    f"(exit code {process.returncode}); {logfile}:\n{log_since(logfile, offset)}"
                )
            time.sleep(0.1)
        try:
            if created or read_credentials(self.location).get("setup") != SETUP_VERSION:
                self._setup()
        except BaseException:
            process.kill()
            process.wait()
            raise
        return process

    def _shutdown(self, process: subprocess.Popen[bytes]) -> None:
        # A checkpoint first: bulk loads skip the transaction log, so only a checkpoint makes them
        # durable; after it SIGTERM's quick shutdown loses nothing.
        try:
            store = self.store("urn:x-srom:none")
            try:
                store.checkpoint()
            finally:
                store.close()
        except StoreError as e:
            with log_path(self.location).open("a", encoding="utf-8") as out:
                out.write(f"--- {now()} checkpoint before stop failed: {e}\n")
        process.terminate()

    # --- configuration and setup ---------------------------------------------------------------
    def _check_directory(self) -> None:
        if self.location.is_dir() and any(self.location.iterdir()):
            if not (self.location / "virtuoso.db").exists() and not (self.location / "virtuoso.ini").exists():
                raise StoreUnavailable(
                    f"{self.location} holds files but no Virtuoso database (another store's directory?): "
                    "give the Virtuoso server a directory of its own"
                )

    def _ini(self) -> str:
        buffers = self.memory_mb * _BUFFERS_PER_MB
        d = self.location
        host = self.host
        return f"""; generated by the SROM Hub ({now()}); rewritten at every start
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{self.sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {self.spool}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
MaxQueryMem = {max(256, self.memory_mb // 4)}M
ThreadsPerQuery = {max(1, os.cpu_count() or 1)}
AsyncQueueMaxThreads = 4
MaxSortedTopRows = 100000
VADInstallDir = {d}/no-vad/

[HTTPServer]
ServerPort = {host}:{self.port}
ServerRoot = {d}/www
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
EnabledGzipContent = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 0
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {self.timeout_s}
DefaultGraph =
"""

    def _setup(self) -> None:
        """Accounts, roles, procedures and web paths, through ``isql-vt`` as ``dba`` (see the module doc)."""
        path = credentials_path(self.location)
        creds = read_credentials(self.location)
        if not creds:
            creds = {"dba": secrets.token_urlsafe(24), "dav": secrets.token_urlsafe(24),
                     "writer": secrets.token_urlsafe(24), "setup": 0}
            _write_private(path, creds)  # before the passwords change: never locked out of the database
        try:
            self._isql(str(creds["dba"]), _setup_sql(creds, self.spool))
        except StoreError as e:
            if "password" not in str(e).lower() and "28000" not in str(e):
                raise
            self._isql("dba", _setup_sql(creds, self.spool))  # a fresh database: the factory password
        _write_private(path, creds | {"setup": SETUP_VERSION})

    def _isql(self, password: str, script: str) -> str:
        # The password is an argument (isql-vt reads it nowhere else); the SQL port is loopback-only.
        command = [self.isql, f"{self.host}:{self.sql_port}", "dba", password]
        try:
            done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as e:
            raise StoreUnavailable(f"isql-vt did not finish the setup of {self.location}") from e
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise StoreError(f"setting up the Virtuoso database in {self.location} failed:\n{output[-2000:]}")
        return output


def _setup_sql(creds: dict[str, object], spool: Path) -> str:
    writer, dav, dba = creds["writer"], creds["dav"], creds["dba"]
    spool_prefix = f"{spool}/"
    removals = "\n".join(
        f"DB.DBA.VHOST_REMOVE (lhost=>'*ini*', vhost=>'*ini*', lpath=>'{p}');" for p in _UNUSED_PATHS
    )
    revokes = [("SPARQL_SELECT", "SPARQL_LOAD_SERVICE_DATA"), ("SPARQL_SPONGE", "SPARQL_LOAD_SERVICE_DATA"),
               ("SPARQL_UPDATE", "SPARQL_LOAD_SERVICE_DATA"), ("SPARQL_UPDATE", "SPARQL_SPONGE"),
               ("SPARQL", "SPARQL_LOAD_SERVICE_DATA"), ("SPARQL", "SPARQL_SPONGE"), ("SPARQL", "SPARQL_UPDATE")]
    revoke = "\n".join(f"  SROM_TRY ('REVOKE \"{role}\" FROM \"{user}\"');" for user, role in revokes)
    private = "\n".join(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{_PRIVATE_GRAPHS}', '{g}');" for g in SYSTEM_GRAPHS)
    return f"""
create procedure DB.DBA.SROM_TRY (in stmt varchar) {{
  declare st, msg varchar;
  exec (stmt, st, msg);
}};
create procedure DB.DBA.SROM_SETUP () {{
  if (not exists (select 1 from DB.DBA.SYS_USERS where U_NAME = '{WRITER}'))
    DB.DBA.USER_CREATE ('{WRITER}', '{writer}', vector ('SQL_ENABLE', 1));
  USER_SET_PASSWORD ('{WRITER}', '{writer}');
  -- the writer reads and runs the procedures; it has no SPARQL_UPDATE (whose SPARQL_SPONGE fetches URLs)
  SROM_TRY ('REVOKE "SPARQL_UPDATE" FROM "{WRITER}"');
  SROM_TRY ('GRANT SPARQL_SELECT TO "{WRITER}"');
{revoke}
  -- the DAV account exists in some databases only (it has the factory password where it does)
  SROM_TRY ('USER_SET_PASSWORD (\\'dav\\', \\'{dav}\\')');
  SROM_TRY ('DB.DBA.USER_SET_OPTION (\\'dav\\', \\'DISABLED\\', 1)');
}};
SROM_SETUP ();
{removals}
-- Virtuoso's own graphs are private, readable by dba only: the union default graph and GRAPH ?g of every
-- other account (the public SPARQL one, the writer) hold the hub's graphs only. Order matters: the
-- default for private graphs may not be wider than the default for the others.
DB.DBA.RDF_GRAPH_GROUP_CREATE ('{_PRIVATE_GRAPHS}', 1);
{private}
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
create procedure DB.DBA.SROM_UPDATE (in ops any, in path varchar := null) {{
  declare st, msg varchar;
  declare i int;
  declare exit handler for sqlstate '*' {{
    rollback work;
    resignal;
  }};
  set_user_id ('dba');  -- the operations were checked by the client; the caller needs no update role
  set transaction_timeout = 0;  -- writes are not queries: MaxQueryExecutionTime must not cut a batch
  set result_timeout = 0;
  for (i := 0; i < length (ops); i := i + 1) {{
    st := '00000';
    exec (concat ('sparql ', ops[i]), st, msg);
    if (st <> '00000')
      signal (st, msg);
  }}
  -- N-Quads from a spool file: ~40x faster than the same triples in INSERT DATA text (measured)
  if (path is not null) {{
    if (strstr (path, '/../') is not null or not starts_with (path, '{spool_prefix}'))
      signal ('42000', 'SROM_UPDATE reads files from the spool directory only');
    DB.DBA.TTLP (file_to_string_output (path), '', '{DEFAULT_GRAPH}', 512);
  }}
  commit work;
  return length (ops);
}};
create procedure DB.DBA.SROM_LOAD (in path varchar) {{
  declare err, state any;
  if (strstr (path, '/../') is not null or not starts_with (path, '{spool_prefix}'))
    signal ('42000', 'SROM_LOAD reads files from the spool directory only');
  set_user_id ('dba');
  set transaction_timeout = 0;
  set result_timeout = 0;
  delete from DB.DBA.LOAD_LIST where LL_FILE = path;
  DB.DBA.ld_add (path, '{DEFAULT_GRAPH}');
  DB.DBA.rdf_loader_run ();
  select LL_ERROR, LL_STATE into err, state from DB.DBA.LOAD_LIST where LL_FILE = path;
  delete from DB.DBA.LOAD_LIST where LL_FILE = path;
  commit work;
  if (err is not null)
    signal ('22023', concat ('bulk load failed: ', cast (err as varchar)));
  return state;
}};
create procedure DB.DBA.SROM_CHECKPOINT () {{
  exec ('checkpoint');
  return 1;
}};
grant execute on DB.DBA.SROM_UPDATE to "{WRITER}";
grant execute on DB.DBA.SROM_LOAD to "{WRITER}";
grant execute on DB.DBA.SROM_CHECKPOINT to "{WRITER}";
drop procedure DB.DBA.SROM_SETUP;
checkpoint;
USER_SET_PASSWORD ('dba', '{dba}');
"""


def _write_private(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def _find(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise StoreUnavailable(f"no `{name}` found: apt-get install virtuoso-opensource-7 (Debian)")
    return found


def _answers(url: str) -> bool:
    try:
        with requests.get(
            f"{url}/sparql",
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+xml"},
            timeout=_PROBE_TIMEOUT,
        ) as response:
            return response.status_code == 200
    except requests.RequestException:
        return False
