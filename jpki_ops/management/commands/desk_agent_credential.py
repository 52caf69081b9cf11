"""``manage.py desk_agent_credential OFFICE DESK``: issue (or revoke) an agent token.

The token is printed once and stored only as its SHA-256; put it into the agent's
``MADOGUCHI_AGENT_TOKEN`` on the desk PC.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter.models import Desk
from jpki_ops.models import DeskAgentCredential
from jpki_ops.services import desk_agent_credential_issue, desk_agent_credential_revoke


class Command(BaseCommand):
    help = "Issue a desk agent credential for a desk (prints the token once)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("office", help="office code")
        parser.add_argument("desk", help="desk code")
        parser.add_argument("--municipality", help="municipality code, if ambiguous")
        parser.add_argument(
            "--revoke-all",
            action="store_true",
            help="revoke the desk's existing credentials instead of issuing one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        desks = Desk.objects.select_related("office__municipality").filter(
            office__code=options["office"], code=options["desk"]
        )
        if options.get("municipality"):
            desks = desks.filter(office__municipality__code=options["municipality"])
        if desks.count() != 1:
            raise CommandError(
                f"{desks.count()} desks match office={options['office']} "
                f"desk={options['desk']}; name exactly one (use --municipality)."
            )
        desk = desks.get()
        if options["revoke_all"]:
            active = DeskAgentCredential.objects.filter(
                desk=desk, revoked_at__isnull=True
            )
            for credential in active:
                desk_agent_credential_revoke(credential=credential)
            self.stdout.write(f"revoked {len(active)} credential(s) of {desk}")
            return
        credential, token = desk_agent_credential_issue(desk=desk)
        self.stdout.write(
            f"desk agent credential {credential.token_prefix}… for {desk}\n"
            "Shown once. Put it into MADOGUCHI_AGENT_TOKEN on the desk PC:\n"
        )
        self.stdout.write(token)
