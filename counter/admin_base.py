"""Base classes of the supervisor console, shared by every app's admin module.

Kept apart from :mod:`counter.admin` (which registers the counter's models and
the letters' admin) so that app admin modules can build on them without importing
the module that imports them.

Three promises live here (docs/security/roles.md): every queryset, foreign-key
choice, raw-id lookup, autocomplete and inline goes through ``visible_to`` (the
API's mechanism); a row that would point outside the user's municipality is
refused whatever the form submitted; every save or delete is an audit entry with
the changed fields, before and after.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from counter.admin_access import AccessLoggedAdmin
from counter.audit import audit_record
from counter.code_labels import code_label
from counter.constants import Procedure
from counter.list_counts import EstimatedCountPaginator
from counter.models import Municipality
from counter.roles import is_installation_admin
from counter.scoping import Scope, scope_for

#: Fields whose values never go into the audit trail (only that they changed).
_SECRET_FIELDS = {"password", "token_hash"}
_READABLE = "_readable"


def _scoped_choices(model: type[models.Model], scope: Scope) -> QuerySet[Any] | None:
    """The rows of ``model`` a user with ``scope`` may point at, or None if unscoped."""
    manager = model._default_manager
    if hasattr(manager, "within"):
        return manager.within(scope)  # type: ignore[attr-defined, no-any-return]
    if model is Municipality:
        towns = Municipality.objects.all()
        return (
            towns if scope.everything else towns.filter(pk=scope.municipality_id or 0)
        )
    if model is get_user_model():
        users = model._default_manager.all()
        if scope.everything:
            return users
        return users.filter(staff_profile__municipality_id=scope.municipality_id or 0)
    return None


def outside_scope(obj: models.Model, scope: Scope) -> list[str]:
    """Names of ``obj``'s references that lie outside ``scope`` (empty: inside)."""
    if scope.everything:
        return []
    outside = []
    for field in obj._meta.concrete_fields:
        if not field.is_relation or field.related_model is None:
            continue
        value = getattr(obj, field.attname)
        if value is None:
            continue
        allowed = _scoped_choices(field.related_model, scope)  # type: ignore[arg-type]
        if allowed is not None and not allowed.filter(pk=value).exists():
            outside.append(field.name)
    return outside


def _plain(value: Any) -> Any:
    """A form value as JSON the audit trail can hold."""
    if isinstance(value, (str, int, float, bool, dict)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
        return [_plain(v) for v in value]
    return str(value)


def form_changes(form: forms.Form) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` of a bound form (secrets reduced to a mark)."""
    changes: dict[str, list[Any]] = {}
    for name in form.changed_data:
        if name in _SECRET_FIELDS:
            changes[name] = ["***", "***"]
            continue
        changes[name] = [
            _plain(form.initial.get(name)),
            _plain(form.cleaned_data.get(name)),
        ]
    return changes


def readable(value: Any) -> str:
    """A JSON value as a clerk reads it: a list joined, a mapping as lines."""
    if value in (None, "", [], {}):
        return "-"
    if isinstance(value, dict):
        return " / ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(readable(v) for v in value)
    return code_label(value) if isinstance(value, str) else str(value)


class ProcedureListField(forms.MultipleChoiceField):
    """A JSON list of procedure codes edited as ticked procedures by name."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(choices=Procedure.choices, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, (list, tuple)) else []


class ScopedChoices(admin.options.BaseModelAdmin):  # type: ignore[type-arg]
    """Foreign-key and many-to-many choices (selects, raw ids, autocomplete
    validation) limited to the user's municipality; lists of procedures as
    ticked names, never a JSON textarea of codes."""

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if isinstance(db_field, models.JSONField) and db_field.name.endswith(
            "procedures"
        ):
            return db_field.formfield(
                form_class=ProcedureListField, required=False, **kwargs
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        allowed = _scoped_choices(db_field.related_model, scope_for(request.user))
        if allowed is not None:
            kwargs["queryset"] = allowed
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        allowed = _scoped_choices(db_field.related_model, scope_for(request.user))
        if allowed is not None:
            kwargs["queryset"] = allowed
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline(ScopedChoices, admin.TabularInline):
    """An inline whose choices stay inside the user's municipality."""

    extra = 0


class ScopedAdmin(AccessLoggedAdmin, ScopedChoices, admin.ModelAdmin):
    """Shows and accepts only rows inside the user's municipality (counter.scoping)."""

    show_full_result_count = False
    #: A list of 4M audit rows is not counted row by row (ADR 0029).
    paginator = EstimatedCountPaginator
    #: Drawing a row is most of a list's time at a prefecture's size; an action
    #: still reaches every row with "select all" (ADR 0031).
    list_per_page = 50

    # --- reads ---------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user)  # type: ignore[attr-defined, no-any-return]

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """Another municipality's id answers as 'no such row', and is audited."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self._exists_elsewhere(object_id):
            audit_record(
                action="admin_access_refused",
                actor=request.user,
                data={
                    "model": self.model._meta.label_lower,
                    "object_id": str(object_id)[:40],
                    "reason": "outside-municipality",
                },
            )
        return obj

    def _exists_elsewhere(self, object_id: str) -> bool:
        try:
            return self.model._default_manager.filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            return False

    # --- the boundary on every save ---------------------------------------------------

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return _guarded(form_class, self, request, obj)

    def refuse(self, request: HttpRequest, reason: str, details: dict[str, Any]) -> str:
        """Audit a refused admin write; return the Japanese message to show."""
        audit_record(
            action="admin_change_refused",
            actor=request.user,
            data={"model": self.model._meta.label_lower, "reason": reason, **details},
        )
        if reason == "readonly-field":
            return gettext("These fields cannot be changed here: %(fields)s.") % {
                "fields": ", ".join(details.get("fields", []))
            }
        return gettext(
            "This points outside your municipality and was not saved: %(fields)s."
        ) % {"fields": ", ".join(details.get("fields", []))}

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        """Last guard (the form already refused): never save across the boundary."""
        outside = outside_scope(obj, scope_for(request.user))
        if outside:
            self.refuse(request, "outside-municipality", {"fields": outside})
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        self.audit_save(request, obj, form_changes(form), change)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        scope = scope_for(request.user)
        for inline_form in formset.forms:
            if getattr(inline_form, "cleaned_data", None) and inline_form.has_changed():
                outside = outside_scope(inline_form.instance, scope)
                if outside:
                    self.refuse(request, "outside-municipality", {"fields": outside})
                    raise PermissionDenied
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if getattr(inline_form, "cleaned_data", None) and inline_form.has_changed():
                self.audit_save(
                    request,
                    inline_form.instance,
                    form_changes(inline_form),
                    bool(inline_form.initial),
                )
        for deleted in formset.deleted_objects:
            self.audit_delete(request, deleted)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def audit_save(
        self,
        request: HttpRequest,
        obj: Any,
        changes: dict[str, list[Any]],
        change: bool,
    ) -> None:
        audit_record(
            action="admin_record_changed" if change else "admin_record_added",
            actor=request.user,
            municipality=_municipality_of(obj),
            obj=obj,
            data={
                "model": obj._meta.label_lower,
                "changes": changes,
                "installation_admin": is_installation_admin(request.user),
            },
        )

    def audit_delete(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            action="admin_record_deleted",
            actor=request.user,
            municipality=_municipality_of(obj),
            obj=obj,
            data={
                "model": obj._meta.label_lower,
                "was": str(obj),
                "installation_admin": is_installation_admin(request.user),
            },
        )


def _municipality_of(obj: Any) -> Any:
    """The municipality a row belongs to, by its ``scope_municipality`` path."""
    path = getattr(type(obj), "scope_municipality", None)
    if path is None:
        return None
    if path == "self":
        return obj
    current = obj
    for part in path.split("__"):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def _guarded(
    form_class: type[forms.ModelForm],
    model_admin: ScopedAdmin,
    request: HttpRequest,
    obj: Any,
) -> type[forms.ModelForm]:
    """The admin's form, refusing read-only values and rows across the boundary."""
    readonly = [
        name
        for name in model_admin.get_readonly_fields(request, obj)
        if isinstance(name, str) and not name.endswith(_READABLE)
    ]

    class GuardedForm(form_class):  # type: ignore[valid-type, misc]
        def _post_clean(self) -> None:
            super()._post_clean()
            if request.method != "POST":
                return
            forged = sorted(
                name
                for name, field in self.fields.items()
                if field.disabled and name in self.data
            )
            forged += sorted(
                name for name in readonly if name in self.data and name not in forged
            )
            if forged:
                self.add_error(
                    None,
                    model_admin.refuse(request, "readonly-field", {"fields": forged}),
                )
                return
            outside = outside_scope(self.instance, scope_for(request.user))
            outside += [n for n in _forged_choices(self) if n not in outside]
            if outside:
                self.add_error(
                    None,
                    model_admin.refuse(
                        request, "outside-municipality", {"fields": outside}
                    ),
                )

    GuardedForm.__name__ = form_class.__name__
    return GuardedForm


def _forged_choices(form: forms.BaseForm) -> list[str]:
    """Choice fields refused because the submitted row exists outside the scope
    (a forged form or raw id), as opposed to a mistyped id."""
    forged = []
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or name not in form.errors:
            continue
        submitted = form.data.get(form.add_prefix(name))
        if field.queryset is None:
            continue
        model = field.queryset.model
        try:
            if submitted and model._default_manager.filter(pk=submitted).exists():
                forged.append(name)
        except (ValueError, TypeError, ValidationError):
            continue
    return forged


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Shown, never written here: the row changes only through the services.

    JSON fields are shown as readable text (``<field>_readable``), never as a
    textarea of raw JSON. Supervisors act through admin actions that call services.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.fields:
            return self.fields
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.readonly_fields:
            return self.readonly_fields
        names: list[str] = []
        for field in self.model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                names.append(field.name + _READABLE)
            elif not isinstance(field, (models.BinaryField, models.FileField)):
                names.append(field.name)
        return names

    def __getattr__(self, name: str) -> Any:
        if not name.endswith(_READABLE):
            raise AttributeError(name)
        field_name = name[: -len(_READABLE)]
        field = self.model._meta.get_field(field_name)

        def show(obj: Any) -> str:
            return readable(getattr(obj, field_name))

        show.short_description = field.verbose_name  # type: ignore[attr-defined]
        return show


__all__ = [
    "ReadOnlyScopedAdmin",
    "ScopedAdmin",
    "ScopedChoices",
    "ScopedInline",
    "outside_scope",
    "readable",
]
