"""Namespaces, IRI minting and the hub's vocabularies.

This package owns the words of the graph: which CRM terms exist, how IRIs are minted, and how RDF terms
are written; also the one format every stored time is written in (``ontology.clock``). It does no I/O
beyond reading its own bundled vocabulary files.
"""
