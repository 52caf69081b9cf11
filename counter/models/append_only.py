"""One guard for every append-only record (audit trail, case and letter history)."""

from __future__ import annotations

from typing import Any


class AppendOnlyError(RuntimeError, ValueError):
    """A written history row or audit event was about to be changed."""


class AppendOnly:
    """Mixin before ``models.Model``: a row can be inserted, never saved again.

    PostgreSQL triggers refuse UPDATE and DELETE as well (migrations); this is the
    ORM's side of the same rule.
    """

    append_only_message = "This record is append-only."

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:  # type: ignore[attr-defined]
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)  # type: ignore[misc]
