"""The RDF-native mappings: CIDOC-CRM RDF and Linked Art JSON-LD in, hub records out."""
