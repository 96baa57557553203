"""The harvesting side: feeds in (one module per protocol), mapped records into the store, every run recorded.

``source`` is the interface every protocol implements and ``protocols`` the registry of them;
``run.Harvester`` is the one entry point (lock, resume, pipeline, removals), ``pipeline`` classifies and
writes batches, ``map_worker`` maps pages (in a second process for large feeds), ``registry`` keeps the
bookkeeping in SQLite; every request goes through ``http`` and ``guard``. Errors share the root
``errors.HarvestError``. Depends on ``ontology``, ``mappings`` and ``store``; never on ``web``.
"""
