"""``manage.py desk_agent_credential OFFICE DESK --public-key KEY``: issue a
desk agent credential bound to the agent's key (or revoke the desk's ones).

The token is printed once and stored only as its SHA-256; put it into the file
the agent reads (``MADOGUCHI_AGENT_TOKEN_FILE``, mode 0600) on the desk PC. The
public key is what ``python -m jpki_ops.agent --generate-key PATH`` printed there.
Issuing a new credential ends the desk's older ones after the grace period
(``DESK_AGENT_ROTATION_GRACE_HOURS``): that is rotation.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from counter.errors import ApplicationError
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
            "--public-key",
            default="",
            help="the agent's public key (base64, from --generate-key on the desk PC)",
        )
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
        if not options["public_key"] and not settings.DESK_AGENT_ALLOW_UNBOUND:
            raise CommandError(
                "Give the agent's public key (--public-key): run "
                "`python -m jpki_ops.agent --generate-key PATH` on the desk PC."
            )
        try:
            credential, token = desk_agent_credential_issue(
                desk=desk, public_key=options["public_key"] or None
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"desk agent credential {credential.token_prefix}… for {desk}, "
            f"valid until {credential.expires_at:%Y-%m-%d %H:%M %Z}\n"
            "Shown once. Put it into the agent's token file on the desk PC "
            "(MADOGUCHI_AGENT_TOKEN_FILE, mode 0600):\n"
        )
        self.stdout.write(token)
