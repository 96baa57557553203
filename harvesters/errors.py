"""The root of every error the harvesting side raises, and the errors shared by several of its modules.

Every error a ``harvesters`` module raises on purpose is a :class:`HarvestError`, so a caller (the CLI,
the web feed forms, the scheduler) can tell a harvest's refusal or failure from a bug. The errors of one
protocol or one step stay in its module, subclassing :class:`HarvestError`:

- ``harvesters.http``: ``HarvestHttpError`` (a request failed after its retries), ``ContentError`` (an
  answer that cannot be used; retried), ``TransientError`` (one try failed; retried);
- ``harvesters.guard``: ``FeedUrlRefused``; ``harvesters.feed_database``: ``FeedDatabaseError``;
  ``harvesters.mapping_overrides``: ``OverrideError`` (these three are ``ValueError`` s too);
- ``harvesters.oaipmh``: ``OaiError`` and its protocol codes; ``harvesters.iiif_discovery``:
  ``DiscoveryError``; ``harvesters.rdf_load``: ``RdfDumpError``, ``DumpReadError``;
- ``harvesters.map_worker``: ``WorkerFailed``.

A record that cannot be mapped is not a harvest error: it is a ``mappings.RecordError``, quarantined.
This module imports nothing, so every other one can use it.
"""

from __future__ import annotations


class HarvestError(Exception):
    """Base of every error the ``harvesters`` package raises."""


class HarvestBusy(HarvestError, RuntimeError):
    """Another harvest of the museum is running (in this or another process).

    Raised by ``harvesters.run.Harvester.harvest``; the scheduler skips such a museum until its next time.
    """
