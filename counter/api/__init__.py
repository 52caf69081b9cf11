"""The counter's REST API under /api/v1 (same service functions as the screens)."""
