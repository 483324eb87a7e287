"""``python -m satark``: the same as the ``satark`` command."""

from .cli import main

main()
