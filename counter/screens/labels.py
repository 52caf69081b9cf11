"""The clerk-readable names of audit actions live in :mod:`counter.code_labels`
(the admin shows them too); the screens import them from here."""

from __future__ import annotations

from counter.code_labels import ACTION_LABELS, action_label, code_label

__all__ = ["ACTION_LABELS", "action_label", "code_label"]
