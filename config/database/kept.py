"""The cursor for SQL kept per process (compiled once, bound per call): prepared
on the PostgreSQL server where the backend can (config/database/base.py;
docs/adr/0035-kept-reads-prepared-on-the-server.md), Django's own elsewhere
(the demo's SQLite, ``DB_PREPARED_STATEMENTS`` off).

Below every app in the house plan, so the kernel's audit, the reference data of
identity_docs and the selectors ask for it the same way."""

from __future__ import annotations

from typing import Any


def prepared_cursor(connection: Any) -> Any:
    """The connection's cursor for SQL kept per process."""
    if hasattr(connection, "prepared_cursor"):
        return connection.prepared_cursor()
    return connection.cursor()
