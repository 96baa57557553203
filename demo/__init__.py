"""Bundled demo data: four invented partner museums with Silk Road records, and their OAI-PMH feeds.

See ``demo/README.md``. ``feeds.py`` serves the data; ``build_records.py`` generates it.
"""
