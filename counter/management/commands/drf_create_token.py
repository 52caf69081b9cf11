"""DRF's ``drf_create_token`` (the operator's way to hand an integration its API
token), through the audited service: the same arguments and output as DRF's own,
which this command replaces (``counter`` comes before ``rest_framework.authtoken``
in INSTALLED_APPS), and an ``api_token_issued`` entry in the city's audit trail
naming the operator's account on the server. The key goes to the terminal only."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from counter.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Hand a login's API token to an integration (audited)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", type=str)
        parser.add_argument(
            "-r",
            "--reset",
            action="store_true",
            dest="reset_token",
            default=False,
            help="Replace the login's token with a new one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model = get_user_model()
        username = options["username"]
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist as exc:
            raise CommandError(
                f"Cannot create the Token: user {username} does not exist"
            ) from exc
        token = api_token_issue(
            user=user, operator=_operator(), reset=options["reset_token"]
        )
        self.stdout.write(f"Generated token {token.key} for user {username}")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the process's uid (a container)
        return "unknown"
