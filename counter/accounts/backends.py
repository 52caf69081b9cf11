"""Who the request's user is and what they may do, without a database round trip
for the permissions on every request (issue 14;
docs/adr/0022-api-pages-cached-permissions-and-sessions.md).

* :class:`CachedModelBackend` is Django's ``ModelBackend`` whose answer to "which
  permissions does this user hold" is kept in the shared cache (Redis in
  production), under a *generation* that every change to users, groups or
  permissions moves on (:func:`permissions_changed`). A request reads the
  generation and the user's entry in one cache round trip; a stale entry (older
  generation, or older than :data:`PERMISSION_CACHE_SECONDS`) is recomputed from
  the database. The user row itself is always read from the database, so a
  deactivated account is refused on its next request.
* The same backend loads the user with their staff profile in one query, so the
  scope (municipality, office) costs no extra query (``scoping.scope_for``).
* :class:`ProfileTokenAuthentication` is DRF's token authentication doing the same
  for API tokens: token, user and staff profile in one query.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.authentication import TokenAuthentication

from counter.selectors import compiled

#: The staff profile, its municipality and office: every scoped read needs them.
PROFILE = ("staff_profile__municipality", "staff_profile__office")
GENERATION_KEY = "auth:perm-generation"
ENTRY_KEY = "auth:perms:{pk}"


def _session_user(values: Any) -> Any:
    """The session's user with the staff profile, by primary key."""
    model = get_user_model()
    return model._default_manager.select_related(*PROFILE).filter(pk=values["pk"])


def _pk_sentinel() -> dict[str, Any]:
    # Inside a 32-bit key's range (Django's user key is one), and no user's.
    return {"pk": -2_017_041_701}


def _token_with_user(values: Any, model: Any) -> Any:
    """The API token with its user and the user's staff profile, by key."""
    return model._default_manager.select_related(
        *(f"user__{p}" for p in PROFILE)
    ).filter(key=values["key"])


def _key_sentinel() -> dict[str, Any]:
    return {"key": compiled.sentinel_text()}


def _seconds() -> int:
    return int(getattr(settings, "PERMISSION_CACHE_SECONDS", 300))


def permissions_changed(**kwargs: Any) -> None:
    """Every cached permission set is stale from now on (a new generation)."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


class CachedModelBackend(ModelBackend):
    """``ModelBackend`` with the user's permission set kept in the cache."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        if compiled.available():
            try:
                pk = model._meta.pk.to_python(user_id)
            except ValidationError:
                return None
            found = compiled.compiled_models(
                ("session-user", model), _session_user, _pk_sentinel
            ).objects({"pk": pk})
            user = found[0] if found else None
        else:
            user = model._default_manager.select_related(*PROFILE).filter(pk=user_id)
            user = user.first()
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._cached(user_obj)
        return user_obj._perm_cache  # type: ignore[no-any-return]

    def _cached(self, user_obj: Any) -> set[str]:
        seconds = _seconds()
        if seconds <= 0:
            return set(super().get_all_permissions(user_obj))
        key = ENTRY_KEY.format(pk=user_obj.pk)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if generation is None:
            generation = secrets.token_hex(8)
            if not cache.add(GENERATION_KEY, generation, timeout=None):
                generation = cache.get(GENERATION_KEY, generation)
        if (
            isinstance(entry, tuple)
            and len(entry) == 3
            and entry[0] == generation
            and entry[1] == user_obj.is_superuser
        ):
            return set(entry[2])
        perms = set(super().get_all_permissions(user_obj))
        cache.set(key, (generation, user_obj.is_superuser, sorted(perms)), seconds)
        return perms


class ProfileTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, loading the user's staff profile in the same
    query (the scope of every API call needs it)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = self.get_model()
        token: Any
        if compiled.available():
            found = compiled.compiled_models(
                ("api-token", model),
                lambda values: _token_with_user(values, model),
                _key_sentinel,
            ).objects({"key": key})
            token = found[0] if found else None
        else:
            token = _token_with_user({"key": key}, model).first()
        if token is None:
            return super().authenticate_credentials(key)  # the usual refusal
        if not token.user.is_active:
            return super().authenticate_credentials(key)
        return token.user, token
