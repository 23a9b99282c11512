"""Alembic migrations of the fleet database (run by `kiosk fleet serve` at start)."""
