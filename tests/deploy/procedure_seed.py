"""Seed a production stack for one whole procedure (run inside the stack's Django).

``manage.py shell -c "from tests.deploy.procedure_seed import main; main()"`` under
the production settings, with ``SMOKE_DIR`` naming a private directory. It makes
what a city has before its first counter day, through the services where a service
exists: the municipality (``municipality_create``), a desk, a clerk with an API
token and a supervisor, one resident with a card the system has never read (no key
fingerprint), the card itself made by the stack's own SIMULATED issuer (so the
issuer's register knows its certificates, as J-LIS knows a real card's), the card's
manufacture number recorded by the supervisor (``card_manufacture_record``) and the
desk agent's key-bound credential (``desk_agent_credential_issue``).

Writes ``seed.json`` (ids, the reader-free facts the test needs), ``card.json``
(the virtual card) and ``agent-token`` / ``agent-key.pem`` (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from counter.models import Card, Desk, OpeningHours, Resident, StaffProfile
from counter.roles import ROLE_CLERK, ROLE_SUPERVISOR
from counter.services.municipalities import municipality_create
from jpki_ops.agent.proof import agent_key_generate
from jpki_ops.cardsim import CardHolder, create_card_file
from jpki_ops.issuer.gateway import get_issuer
from jpki_ops.services import card_manufacture_record, desk_agent_credential_issue

#: Test PINs of the simulated card (never real ones).
PINS = {
    "auth_pin": "4821",
    "card_info_pin": "4821",
    "resident_register_pin": "4821",
    "signing_password": "SMOKE2026",
}
NEVER = "02-30"  # a year-end closure that never comes: the test runs any day


def _staff(username: str, role: str, municipality, office) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username, password=None)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, municipality=municipality, office=office)
    return User.objects.get(pk=user.pk)


def main() -> None:
    out = Path(os.environ["SMOKE_DIR"])
    city = municipality_create(
        code="142123",
        name="厚木市",
        main_office={
            "code": "honcho",
            "name": "本庁",
            "phone": "046-225-2111",
            "counter_name": "市民課窓口",
            "postal_code": "243-8511",
            "address": "神奈川県厚木市中町3-17-17",
        },
        year_end_closure_start=NEVER,
        year_end_closure_end=NEVER,
    )
    office = city.offices.get(code="honcho")
    for weekday in range(7):  # open whenever the test runs
        OpeningHours.objects.get_or_create(
            profile=city.profile,
            office=office,
            weekday=weekday,
            opens=dt.time(0, 0),
            closes=dt.time(23, 59, 59),
            defaults={"open_on_holidays": True},
        )
    desk = Desk.objects.create(office=office, code="desk-1", name="1番窓口")
    clerk = _staff("smoke-clerk", ROLE_CLERK, city, office)
    supervisor = _staff("smoke-supervisor", ROLE_SUPERVISOR, city, None)
    token = Token.objects.create(user=clerk)

    birth = dt.date(1980, 2, 17)
    resident = Resident.objects.create(
        municipality=city,
        register_id="S0001",
        name="山田 太郎",
        name_kana="ヤマダ タロウ",
        postal_code="243-0018",
        address="神奈川県厚木市中町二丁目1番1号",
        birth_date=birth,
        gender="male",
        registration_status="registered",
    )
    today = dt.date.today()
    card = Card.objects.create(
        municipality=city,
        resident=resident,
        kind="standard",
        issued_on=today - dt.timedelta(days=400),
        expires_on=today + dt.timedelta(days=3000),
        status="active",
        auth_key_fingerprint="",  # never read by this system
    )
    state = create_card_file(
        out / "card.json",
        holder=CardHolder(
            name="山田\u3000太郎",
            address=resident.address,
            birth_date=birth,
            gender="1",
        ),
        issuer=get_issuer(),  # type: ignore[arg-type]  # the simulator personalises
        certificates_not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=1500),
        label="smoke test card",
        **PINS,
    )
    card_manufacture_record(
        card_id=card.pk, manufacture_id=state.card_id, actor=supervisor
    )
    public_key = agent_key_generate(out / "agent-key.pem")
    _credential, agent_token = desk_agent_credential_issue(
        desk=desk, public_key=public_key, created_by=supervisor
    )
    token_file = out / "agent-token"
    token_file.write_text(agent_token)
    token_file.chmod(0o600)
    (out / "seed.json").write_text(
        json.dumps(
            {
                "resident": resident.pk,
                "card": card.pk,
                "desk": desk.pk,
                "api_token": token.key,
                "card_id": state.card_id,
                "pins": PINS,
            }
        )
    )
