"""Bundled demo data: four invented partner museums with Silk Road records, and their OAI-PMH feeds.

This package owns the demo museums: their facts as data files (``data/``), the records and drawings
generated from them (``museums/<id>/``), the demo exhibitions (``exhibitions/``), and the feed server.
See ``demo/README.md``. ``feeds.py`` serves the data; ``build_records.py`` generates it.
Nothing here imports the hub; the hub (``web/cli/demo.py``) and the tests import this package.
"""
