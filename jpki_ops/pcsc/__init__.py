"""PC/SC client for the My Number Card (runs in the desk agent, next to the reader)."""
