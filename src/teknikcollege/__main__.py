"""``python -m teknikcollege``."""

from .cli import main

main()
