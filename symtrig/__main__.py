"""``python -m symtrig`` runs the command line."""

from symtrig.cli import run

run()
