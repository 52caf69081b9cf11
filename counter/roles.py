"""Staff roles as groups with permissions (docs/reference/style.md §3.15: code checks
permissions).

Used by the data migration and by ``manage.py sync_roles`` after new models add
permissions.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from counter.letters.permissions import LETTER_ROLE_PERMISSIONS

ROLE_CLERK = "clerk"
ROLE_SUPERVISOR = "supervisor"
ROLE_AUDITOR = "auditor"
# The resident-register system's account: it posts register events (§8).
ROLE_REGISTER_INTEGRATION = "register_integration"
# Administers the whole installation (every municipality), audited like anyone.
ROLE_INSTALLATION_ADMIN = "installation_admin"

_COUNTER_WORK = [
    "counter.view_resident",
    "counter.view_card",
    "counter.view_certificate",
    "counter.view_case",
    "counter.add_case",
    "counter.change_case",
    "counter.view_casestatuschange",
    "counter.view_office",
    "counter.view_desk",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ROLE_CLERK: _COUNTER_WORK,
    ROLE_SUPERVISOR: [
        *_COUNTER_WORK,
        "counter.view_all_offices",
        "counter.approve_exceptions",
        "counter.export_data",
        "counter.view_scans",
        "counter.view_audit",
        "counter.view_auditevent",
        "counter.view_accessrecord",
        "counter.view_municipalprofile",
        "counter.change_municipalprofile",
        "counter.view_openinghours",
        "counter.add_openinghours",
        "counter.change_openinghours",
        "counter.delete_openinghours",
        "counter.view_specialopening",
        "counter.add_specialopening",
        "counter.change_specialopening",
        "counter.delete_specialopening",
        "counter.view_closedday",
        "counter.add_closedday",
        "counter.change_closedday",
        "counter.delete_closedday",
        "counter.add_office",
        "counter.change_office",
        "counter.add_desk",
        "counter.change_desk",
        "counter.view_staffprofile",
        "counter.change_resident",
    ],
    # Only the register-event endpoint: no resident search, no cases, no console.
    ROLE_REGISTER_INTEGRATION: [
        "counter.add_registerevent",
        "counter.view_registerevent",
    ],
    ROLE_AUDITOR: [
        "counter.view_all_offices",
        "counter.view_audit",
        "counter.view_auditevent",
        "counter.view_accessrecord",
        "counter.export_data",
        "counter.view_case",
        "counter.view_casestatuschange",
        "counter.view_office",
        "counter.view_desk",
    ],
}


# Permissions of the other apps, so `manage.py sync_roles` knows every role in full
# (their migrations grant the same through ``sync_roles(apps, extra=...)``).
_APP_PERMISSIONS: dict[str, list[str]] = {
    ROLE_CLERK: [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.view_documentchoice",
        "identity_docs.view_evidencepresented",
        "identity_docs.add_evidencepresented",
        "identity_docs.add_scannedcopy",
    ],
    ROLE_SUPERVISOR: [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.add_identitydocumentkind",
        "identity_docs.change_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.add_requirementrule",
        "identity_docs.change_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.change_documentpolicy",
        "identity_docs.view_documentchoice",
        "identity_docs.change_documentchoice",
        "identity_docs.view_evidencepresented",
        "identity_docs.add_evidencepresented",
        "identity_docs.view_scannedcopy",
        "identity_docs.add_scannedcopy",
    ],
    ROLE_AUDITOR: [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.view_documentchoice",
        "identity_docs.view_evidencepresented",
    ],
}
for _extra in (_APP_PERMISSIONS, LETTER_ROLE_PERMISSIONS):
    for _role, _perms in _extra.items():
        ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


#: Permissions a role held in an earlier release and no longer holds.
ROLE_PERMISSIONS_WITHDRAWN: dict[str, list[str]] = {
    ROLE_REGISTER_INTEGRATION: ["counter.view_resident", "counter.view_all_offices"],
    ROLE_CLERK: [],
}


def is_installation_admin(user: Any) -> bool:
    """A superuser, or a member of the installation-administrator group."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups = getattr(user, "groups", None)
    return bool(
        groups is not None and groups.filter(name=ROLE_INSTALLATION_ADMIN).exists()
    )


#: URL names the register integration reaches (and nothing else).
REGISTER_ENDPOINTS = frozenset({"api-register-events"})


class ApiRolePermission(IsAuthenticated):
    """The API's default: reading needs ``counter.view_case`` (counter work or
    audit), writing ``counter.change_case`` (counter work), so the auditor changes
    nothing; the register endpoints need ``counter.add_registerevent`` and are
    the register integration's only door. Each view still checks its own step.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        user = request.user
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in REGISTER_ENDPOINTS:
            return True  # the view asks for counter.add_registerevent itself
        if request.method in SAFE_METHODS:
            return bool(user.has_perm("counter.view_case"))
        return bool(user.has_perm("counter.change_case"))


def sync_roles(apps: Any = None, extra: dict[str, list[str]] | None = None) -> None:
    """Create the three groups and give each its permissions (idempotent).

    ``extra`` lets other apps add their permissions to a role.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    combined = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for role, perms in (extra or {}).items():
        combined.setdefault(role, []).extend(perms)
    for role, perms in combined.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
