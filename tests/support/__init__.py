"""What the tests share that is not a fixture: loopback servers, feeds, datasets and helpers.

Servers (real werkzeug on 127.0.0.1 in a thread): :mod:`.loopback_server` (the base, and transfer
faults), :mod:`.oai_test_server` (OAI-PMH 2.0), :mod:`.file_server` (documents from a dict),
:mod:`.iiif_image_server` (IIIF Image API 3). Feeds and datasets: :mod:`.edm_feed`,
:mod:`.exhibition_fixtures`, :mod:`.exhibition_dataset` and :mod:`.sparql_dataset` (built once per engine
of :mod:`.engines`). Helpers: :mod:`.rdf_helpers`, :mod:`.conformance`. Fixtures stay in ``tests/conftest.py``.
"""
