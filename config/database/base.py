"""Django's PostgreSQL backend with a health check that costs no round trip
(issue 14; docs/adr/0033-database-health-check-without-a-round-trip.md).

A kept connection (``CONN_MAX_AGE``) is checked once per request or task before
its first query (``CONN_HEALTH_CHECKS``), so the first request after a database
restart reconnects instead of failing (issue 12's fault harness). Django checks
by sending ``SELECT 1``: one more round trip on every request, the API's floor
included. A connection the server ended has a socket that is *readable* while
nothing was asked: the server's last message (``57P01`` and the like) and the
end of the stream arrive unasked. So an idle connection whose socket has
nothing to read is usable without asking; anything unasked on it, or any state
other than idle, falls back to Django's ``SELECT 1``.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


def _readable(fileno: int) -> bool:
    """Whether anything waits on the socket, without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
            or not hasattr(select, "poll")
        ):
            return bool(super().is_usable())
        try:
            unasked = _readable(pgconn.socket)
        except (OSError, ValueError, psycopg.Error):
            return False
        if unasked:
            # The server's goodbye, or a notice: let a real query tell which.
            return bool(super().is_usable())
        return True
