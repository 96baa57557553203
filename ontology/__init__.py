"""Namespaces, IRI minting and the hub's vocabularies.

This package owns the words of the graph: which CRM terms exist, how IRIs are minted, and how RDF terms
are written. It does no I/O beyond reading its own bundled vocabulary files.
"""
