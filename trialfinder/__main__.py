"""``python -m trialfinder`` runs the command line."""

from trialfinder.cli import main

main()
