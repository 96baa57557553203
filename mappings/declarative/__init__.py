"""The declarative engine: a TOML mapping file (``mappings/lido.toml``...) compiled into rules run over XML.

``spec`` compiles the file (and a museum's overrides) into ``rules``; ``engine.Mapping`` runs them over
one record element, the ``targets`` writing each MODEL.md node through ``emit`` and ``terms``, and
``concept_links`` adding the shared concepts. Format-agnostic and pure; callers use ``mappings``, not
this package.
"""
