"""`python -m kiosk` runs the CLI."""

from kiosk.cli import run

run()
