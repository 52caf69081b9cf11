"""The cursor for SQL kept per process (compiled once, bound per call): prepared
on the PostgreSQL server where the backend can (config/database/base.py;
docs/adr/0035-kept-reads-prepared-on-the-server.md), Django's own elsewhere
(the demo's SQLite, ``DB_PREPARED_STATEMENTS`` off).

Below every app in the house plan, so the kernel's audit, the reference data of
identity_docs and the selectors ask for it the same way."""

from __future__ import annotations

import contextlib
from typing import Any


def prepared_cursor(connection: Any, *, planned_per_call: bool = False) -> Any:
    """The connection's cursor for SQL kept per process.

    ``planned_per_call``: for a statement whose best plan depends on its values
    (a name searched by trigrams): Django's own cursor, which sends the values
    in the text, so PostgreSQL plans each call for them. Kept statements are
    otherwise planned once for any value
    (docs/adr/0040-kept-statements-planned-once.md)."""
    if hasattr(connection, "prepared_cursor") and not planned_per_call:
        return connection.prepared_cursor()
    return connection.cursor()


def bytes_bound_on_server(connection: Any) -> contextlib.AbstractContextManager[None]:
    """Inside, the connection's own cursors send ``bytes`` as binary parameters
    (PostgreSQL; ADR 0041); elsewhere (the demo's SQLite) nothing changes."""
    if hasattr(connection, "bytes_bound_on_server"):
        return connection.bytes_bound_on_server()  # type: ignore[no-any-return]
    return contextlib.nullcontext()
