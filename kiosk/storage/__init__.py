"""Persistence: the SQLite database, the journal and the outbox."""
