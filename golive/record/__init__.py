"""The record: an append-only, hash-chained event log in SQLite (default) or PostgreSQL."""
