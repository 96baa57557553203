"""``python -m web.cli``: the same as the ``srom`` command."""

from web.cli import main

main()
