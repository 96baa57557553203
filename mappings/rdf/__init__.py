"""The RDF-native mappings: ``crm-rdf`` (CIDOC-CRM RDF in any CRM namespace) and ``linked-art`` (Linked Art
JSON-LD), code rather than mapping files.

Both end in ``record_builder.build_record``: the object re-minted under the hub's IRI (``record_nodes``),
the MODEL.md profile added (``model_profile``) and the shared concepts linked (``concept_links``).
``description`` (CRM normalisation, which nodes belong to an object) and ``linked_art_vocab`` are shared
with the RDF harvesters. Pure; callers use ``mappings``, and the harvesters those two modules.
"""
