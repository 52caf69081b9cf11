"""Desk API (/api/v1/desk/): the agent's long-poll, the clerk's operation status."""
