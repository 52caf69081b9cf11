"""Desk API (/api/v1/desk/): the desk agent's long-poll and the clerk's operation status."""
