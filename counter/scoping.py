"""Who may see which rows: the one place that enforces municipality and office scope.

Every tenant-owned model uses :class:`ScopedQuerySet`; selectors, admin and API
views call ``.visible_to(user)``. A staff member sees their own municipality; a
member without the ``counter.view_all_offices`` permission (a clerk) additionally
sees only their own office's office-bound rows (cases, desks). A superuser or a
member of the ``installation_admin`` group without a staff profile administers the
installation and sees every municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.db import models

from counter.roles import is_installation_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    municipality_id: int | None = None
    office_id: int | None = None  # None: every office of the municipality

    @property
    def nothing(self) -> bool:
        return not self.everything and self.municipality_id is None


def scope_for(user: AbstractBaseUser | AnonymousUser | None) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope()
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return Scope(everything=is_installation_admin(user))
    if user.has_perm("counter.view_all_offices"):  # type: ignore[attr-defined,union-attr]
        return Scope(municipality_id=profile.municipality_id)
    if profile.office_id is None:
        # A clerk with no office sees nothing office-bound rather than everything.
        return Scope(municipality_id=profile.municipality_id, office_id=-1)
    return Scope(municipality_id=profile.municipality_id, office_id=profile.office_id)


class ScopedQuerySet(models.QuerySet):
    """Rows filtered by the model's ``scope_municipality`` / ``scope_office`` paths."""

    def visible_to(self, user: Any) -> Self:
        return self.within(scope_for(user))

    def within(self, scope: Scope) -> Self:
        if scope.everything:
            return self
        if scope.nothing:
            return self.none()
        municipality_path = self.model.scope_municipality  # type: ignore[attr-defined]
        qs = self.filter(**{f"{municipality_path}_id": scope.municipality_id})
        office_path = getattr(self.model, "scope_office", None)
        if office_path and scope.office_id is not None:
            qs = qs.filter(**{f"{office_path}_id": scope.office_id})
        return qs


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
