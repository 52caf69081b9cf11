"""Card operations: what the clerk's screen asks of the card and the desk agent runs.

The server side of architecture.md's desk agent. The clerk's screen calls
:func:`card_operation_request`; the agent of that desk claims it
(:func:`card_operation_claim`), may report progress (tries left, waiting for the
PIN pad), asks for an issuer authorisation when the card needs one, and finishes
with :func:`card_operation_complete` or :func:`card_operation_fail`. Every change
is audited. No function here accepts or returns a PIN: parameters and results are
checked against allow-lists, and issuer authorisations cover a PIN *reset* without
the new value (card-protocol.md §14.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.constants import CertificateKind, PinKind
from counter.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from counter.models import Case, Desk
from counter.reactions import card_operation_finished
from jpki_ops.models import (
    IDEMPOTENT_CARD_OPERATION_KINDS,
    CardOperation,
    CardOperationKind,
    CardOperationState,
    DeskAgentCredential,
)
from jpki_ops.pcsc import apdu
from jpki_ops.protocol.authorisation import CardCommand

Kind = CardOperationKind
State = CardOperationState

# What a request may carry, per kind. Anything else is refused, so a PIN cannot be
# smuggled in as a parameter (architecture.md: the server never receives a PIN).
# Every kind may name the card it expects (``expected_card_fingerprint``, the
# SHA-256 of its user-authentication public key, not a secret): the agent checks
# it before anything changes on the card. Kinds that may ask for a PIN take
# ``confirm_last_try`` (rules.md §2).
_EXPECTED_CARD = "expected_card_fingerprint"
PARAMETERS: dict[str, frozenset[str]] = {
    Kind.READ_CARD: frozenset(
        {"read_signing_certificate", "confirm_last_try", _EXPECTED_CARD}
    ),
    Kind.PIN_STATUS: frozenset({"pin_kinds", _EXPECTED_CARD}),
    Kind.PIN_VERIFY: frozenset({"pin_kind", "confirm_last_try", _EXPECTED_CARD}),
    Kind.PIN_CHANGE: frozenset({"pin_kind", "confirm_last_try", _EXPECTED_CARD}),
    Kind.PIN_RESET: frozenset({"pin_kind", "unblock_only", _EXPECTED_CARD}),
    Kind.CERT_ISSUE: frozenset(
        {"certificate_kind", "not_after", "confirm_last_try", _EXPECTED_CARD}
    ),
    Kind.SIGN_TEST: frozenset({"certificate_kind", "confirm_last_try", _EXPECTED_CARD}),
    Kind.READ_BASIC_ITEMS: frozenset({"confirm_last_try", _EXPECTED_CARD}),
}
# Result keys an agent may report; values are checked for secrets below.
RESULT_KEYS = frozenset(
    {
        "token",
        "card_fingerprint",
        "card_fingerprint_after",
        "pins",
        "tries_left",
        "pin_kind",
        "certificate_kind",
        "certificate_serial",
        "certificate_not_after",
        "certificate_fingerprint",
        "certificates",
        "signature_valid",
        "basic_items_read",
        "basic_items",
        "unblock_only",
        "resumed",
    }
)
PROGRESS_KEYS = frozenset({"stage", "pin_kind", "tries_left", "max_tries", "last_try"})
FORBIDDEN_KEYS = frozenset(
    {"pin", "new_pin", "current_pin", "password", "value", "individual_number"}
)

REQUEST_TIMEOUT = dt.timedelta(
    seconds=getattr(settings, "JPKI_CARD_OPERATION_REQUEST_TIMEOUT", 600)
)
RUN_TIMEOUT = dt.timedelta(
    seconds=getattr(settings, "JPKI_CARD_OPERATION_RUN_TIMEOUT", 900)
)


def _agent_label(desk: Desk) -> str:
    return f"desk-agent:{desk.office.code}/{desk.code}"


def _audit(
    action: str,
    operation: CardOperation,
    *,
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> None:
    payload = {
        "operation": operation.pk,
        "kind": operation.kind,
        "state": operation.state,
    }
    payload.update(data or {})
    audit_record(
        action=action,
        actor=actor,
        actor_label="" if actor is not None else _agent_label(operation.desk),
        desk=operation.desk,
        case=operation.case,
        obj=operation,
        data=payload,
    )


def _check_no_secrets(data: Any, *, where: str) -> None:
    """Refuse PIN-shaped keys anywhere in a JSON document (defence in depth)."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if str(key).lower() in FORBIDDEN_KEYS:
                raise ApplicationError(
                    "card-operation-secret-refused",
                    _("A PIN or secret must never be sent to the server."),
                    extra={"where": where, "key": str(key)},
                )
            _check_no_secrets(value, where=where)
    elif isinstance(data, list | tuple):
        for item in data:
            _check_no_secrets(item, where=where)


def _is_fingerprint(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 64
        and all(c in "0123456789abcdef" for c in value)
    )


def _validate_parameters(kind: str, parameters: dict[str, Any]) -> dict[str, Any]:
    _check_no_secrets(parameters, where="parameters")
    unknown = set(parameters) - PARAMETERS[kind]
    if unknown:
        raise ApplicationError(
            "card-operation-bad-parameters",
            _("This card operation does not take these parameters."),
            extra={"unknown": sorted(unknown)},
        )
    expected = parameters.get(_EXPECTED_CARD)
    if expected is not None and not _is_fingerprint(expected):
        raise ApplicationError(
            "card-operation-bad-parameters",
            _("The expected card fingerprint is not a SHA-256 value."),
            extra={"key": _EXPECTED_CARD},
        )
    pin_kind = parameters.get("pin_kind")
    if kind in (Kind.PIN_VERIFY, Kind.PIN_CHANGE, Kind.PIN_RESET) and (
        pin_kind not in PinKind.values
    ):
        raise ApplicationError(
            "card-operation-bad-pin-kind",
            _("Choose which of the four PINs this operation is for."),
            extra={"pin_kind": pin_kind},
        )
    for pk in parameters.get("pin_kinds", []):
        if pk not in PinKind.values:
            raise ApplicationError(
                "card-operation-bad-pin-kind",
                _("Choose which of the four PINs this operation is for."),
                extra={"pin_kind": pk},
            )
    if kind in (Kind.CERT_ISSUE, Kind.SIGN_TEST) and (
        parameters.get("certificate_kind") not in CertificateKind.values
    ):
        raise ApplicationError(
            "card-operation-bad-certificate-kind",
            _("Choose the signing or the user-authentication certificate."),
        )
    return dict(parameters)


# --- requests from the clerk's screen ---------------------------------------------


def card_operation_request(
    *,
    desk: Desk,
    kind: str,
    idempotency_key: str,
    parameters: dict[str, Any] | None = None,
    case: Case | None = None,
    requested_by: Any = None,
) -> CardOperation:
    """Queue an operation for ``desk``'s agent. Same key again → the same row."""
    if kind not in Kind.values:
        raise ApplicationError(
            "card-operation-unknown-kind",
            _("Unknown card operation."),
            extra={"kind": kind},
        )
    if not idempotency_key or len(idempotency_key) > 64:
        raise ApplicationError(
            "card-operation-bad-idempotency-key",
            _(
                "Every card operation request needs an idempotency key "
                "of 1–64 characters."
            ),
        )
    params = _validate_parameters(kind, parameters or {})
    if not desk.active:
        raise Conflict("desk-inactive", _("This desk is not in service."))
    if case is not None and case.office_id != desk.office_id:
        raise PermissionDenied(
            "card-operation-wrong-desk", _("The case belongs to another office.")
        )
    existing = CardOperation.objects.filter(
        desk=desk, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return _same_request(existing, kind, params, case)
    try:
        with transaction.atomic():
            operation = CardOperation.objects.create(
                desk=desk,
                case=case,
                kind=kind,
                parameters=params,
                idempotency_key=idempotency_key,
                requested_by=requested_by
                if getattr(requested_by, "pk", None)
                else None,
            )
            _audit(
                "card_operation_requested",
                operation,
                actor=requested_by,
                data={"parameters": params},
            )
    except IntegrityError:
        existing = CardOperation.objects.get(desk=desk, idempotency_key=idempotency_key)
        return _same_request(existing, kind, params, case)
    return operation


def _same_request(
    existing: CardOperation, kind: str, params: dict[str, Any], case: Case | None
) -> CardOperation:
    if existing.kind != kind or existing.parameters != params or existing.case != case:
        raise Conflict(
            "card-operation-idempotency-conflict",
            _("This idempotency key was already used for a different card operation."),
            extra={"operation": existing.pk},
        )
    return existing


def card_operation_cancel(
    *, operation: CardOperation, user: Any = None
) -> CardOperation:
    """The clerk withdraws a request the agent has not picked up yet."""
    with transaction.atomic():
        op = CardOperation.objects.select_for_update().get(pk=operation.pk)
        if op.state != State.REQUESTED:
            raise Conflict(
                "card-operation-not-cancellable",
                _("The operation is already running at the desk or finished."),
                extra={"state": op.state},
            )
        op.state = State.CANCELLED
        op.finished_at = timezone.now()
        op.error_code = "cancelled"
        op.save(update_fields=["state", "finished_at", "error_code", "updated_at"])
        _audit("card_operation_cancelled", op, actor=user)
    return op


# --- the desk agent ----------------------------------------------------------------


def desk_agent_session_start(*, desk: Desk, agent_session: str) -> list[CardOperation]:
    """A (re)started agent announces itself; operations a previous run left claimed
    are resumed when running them again is harmless, failed cleanly otherwise.

    Never run twice on the card: a PIN change, reset or certificate write that was
    in flight may or may not have reached the card, so the clerk re-checks and
    requests again (the audit trail shows why).
    """
    touched: list[CardOperation] = []
    with transaction.atomic():
        stale = list(
            CardOperation.objects.select_for_update()
            .filter(desk=desk, state=State.CLAIMED)
            .exclude(claimed_by=agent_session)
        )
        for op in stale:
            if op.kind in IDEMPOTENT_CARD_OPERATION_KINDS:
                op.state = State.REQUESTED
                op.claimed_by = ""
                op.claimed_at = None
                op.progress = {"stage": "resumed"}
                op.save(
                    update_fields=[
                        "state",
                        "claimed_by",
                        "claimed_at",
                        "progress",
                        "updated_at",
                    ]
                )
                _audit("card_operation_resumed", op)
            else:
                _finish_failed(
                    op,
                    "agent-restarted",
                    str(
                        _(
                            "The desk agent restarted while this operation was "
                            "running. "
                            "Check the card (tries left, certificates) and request "
                            "it again."
                        )
                    ),
                )
                _audit("card_operation_failed", op, data={"error_code": op.error_code})
            touched.append(op)
    for op in touched:
        if op.state == State.FAILED:
            _case_follows(op)
    DeskAgentCredential.objects.filter(desk=desk, revoked_at__isnull=True).update(
        last_seen_at=timezone.now()
    )
    return touched


def card_operation_claim(*, desk: Desk, agent_session: str) -> CardOperation | None:
    """The oldest requested operation of this desk, now claimed by ``agent_session``.

    ``skip_locked`` so two agents of one desk (a misconfiguration) never both get it;
    the desk filter means an agent only ever sees its own desk's operations.
    """
    if not agent_session:
        raise ApplicationError(
            "agent-session-missing", _("The agent session is missing.")
        )
    with transaction.atomic():
        op = (
            CardOperation.objects.select_for_update(skip_locked=True)
            .filter(desk=desk, state=State.REQUESTED)
            .order_by("requested_at", "pk")
            .first()
        )
        if op is None:
            return None
        op.state = State.CLAIMED
        op.claimed_by = agent_session
        op.claimed_at = timezone.now()
        op.attempts += 1
        op.save(
            update_fields=[
                "state",
                "claimed_by",
                "claimed_at",
                "attempts",
                "updated_at",
            ]
        )
        _audit("card_operation_claimed", op, data={"attempt": op.attempts})
    return op


def _locked(operation_id: int, desk: Desk) -> CardOperation:
    """The desk's operation, row-locked; another desk's operation does not exist."""
    try:
        return (
            CardOperation.objects.select_for_update(of=("self",))
            .select_related("desk__office", "case")
            .get(pk=operation_id, desk=desk)
        )
    except CardOperation.DoesNotExist:
        raise NotFound(
            "card-operation-not-found", _("No such card operation.")
        ) from None


def _locked_claimed(operation_id: int, desk: Desk, agent_session: str) -> CardOperation:
    op = _locked(operation_id, desk)
    if op.state != State.CLAIMED or op.claimed_by != agent_session:
        raise Conflict(
            "card-operation-not-claimed",
            _("This operation is not running at this desk agent any more."),
            extra={"state": op.state},
        )
    return op


def card_operation_progress(
    *, operation_id: int, desk: Desk, agent_session: str, progress: dict[str, Any]
) -> CardOperation:
    """What the clerk's screen shows while the agent works (tries left, PIN pad)."""
    _check_no_secrets(progress, where="progress")
    clean = {k: v for k, v in progress.items() if k in PROGRESS_KEYS}
    with transaction.atomic():
        op = _locked_claimed(operation_id, desk, agent_session)
        op.progress = {**op.progress, **clean}
        op.save(update_fields=["progress", "updated_at"])
    if progress.get("stage") == "pin_refused":
        # Bad input is audited too: which PIN and why (its shape), never the value.
        _audit(
            "card_operation_pin_refused",
            op,
            data={
                "pin_kind": progress.get("pin_kind"),
                "code": progress.get("refusal_code"),
            },
        )
    return op


def card_operation_complete(
    *, operation_id: int, desk: Desk, agent_session: str, result: dict[str, Any]
) -> CardOperation:
    """Record success. Posting the same result again is harmless (agent retries)."""
    _check_no_secrets(result, where="result")
    unknown = set(result) - RESULT_KEYS
    if unknown:
        raise ApplicationError(
            "card-operation-bad-result",
            _("The desk agent reported fields this server does not accept."),
            extra={"unknown": sorted(unknown)},
        )
    with transaction.atomic():
        op = _locked(operation_id, desk)
        if op.state == State.SUCCEEDED and op.result == result:
            return op
        op = _locked_claimed(operation_id, desk, agent_session)
        if op.kind == Kind.CERT_ISSUE:
            _check_certificate_written(op, result)
        op.state = State.SUCCEEDED
        op.result = result
        op.finished_at = timezone.now()
        op.save(update_fields=["state", "result", "finished_at", "updated_at"])
        _audit("card_operation_succeeded", op, data={"result": _audit_result(result)})
    _case_follows(op)
    return op


def _case_follows(op: CardOperation) -> None:
    """Let the case's procedure react to the finished operation (counter.services).

    Called after our transaction so the case sees the committed outcome; the case
    service is idempotent, so an agent's retried post is harmless.
    """
    if op.case_id is None:
        return
    card_operation_finished.send(op)


def _audit_result(result: dict[str, Any]) -> dict[str, Any]:
    """Outcome without certificates (they are large and belong to the card)."""
    return {k: v for k, v in result.items() if k != "certificates"}


def card_operation_fail(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
) -> CardOperation:
    """Record a failure the agent met (wrong PIN, card removed, cancelled …)."""
    extra = extra or {}
    _check_no_secrets(extra, where="failure")
    with transaction.atomic():
        op = _locked(operation_id, desk)
        if op.state == State.FAILED and op.error_code == code:
            return op
        op = _locked_claimed(operation_id, desk, agent_session)
        _finish_failed(op, code, message, extra)
    # Outside the transaction: a failure's audit entry must survive (style.md §3.7).
    _audit("card_operation_failed", op, data={"error_code": code, "extra": extra})
    _case_follows(op)
    return op


def _finish_failed(
    op: CardOperation, code: str, message: str, extra: dict[str, Any] | None = None
) -> None:
    op.state = State.FAILED
    op.error_code = code[:60]
    op.error_message = message[:500]
    if extra:
        op.result = {k: v for k, v in extra.items() if k in RESULT_KEYS}
    op.finished_at = timezone.now()
    op.save(
        update_fields=[
            "state",
            "error_code",
            "error_message",
            "result",
            "finished_at",
            "updated_at",
        ]
    )


def card_operations_time_out(*, now: dt.datetime | None = None) -> int:
    """Beat: requests nobody claimed, and runs that never reported, end visibly."""
    now = now or timezone.now()
    finished: list[CardOperation] = []
    with transaction.atomic():
        stale = CardOperation.objects.select_for_update(skip_locked=True).filter(
            models.Q(state=State.REQUESTED, requested_at__lt=now - REQUEST_TIMEOUT)
            | models.Q(state=State.CLAIMED, claimed_at__lt=now - RUN_TIMEOUT)
        )
        for op in stale:
            was = op.state
            op.state = State.TIMED_OUT
            op.error_code = "card-operation-timed-out"
            op.error_message = str(
                _("The desk agent did not finish the operation in time.")
            )
            op.finished_at = now
            op.save(
                update_fields=[
                    "state",
                    "error_code",
                    "error_message",
                    "finished_at",
                    "updated_at",
                ]
            )
            _audit("card_operation_timed_out", op, data={"was": was})
            finished.append(op)
    for op in finished:
        _case_follows(op)
    return len(finished)


# --- issuer authorisation and certificates (SIMULATION of J-LIS, §14.1) -----------


def _allowed_commands(op: CardOperation) -> list[tuple[int, int | None, int]]:
    """(INS, P1 or None for any allowed, P2) the issuer may unlock for ``op``."""
    if op.kind == Kind.PIN_RESET:
        slot = apdu.PIN_SLOTS[op.parameters["pin_kind"]]
        p1 = 0x03 if op.parameters.get("unblock_only") else 0x02
        return [(apdu.card.INS_RESET_RETRY_COUNTER, p1, slot.p2)]
    if op.kind == Kind.CERT_ISSUE:
        kind = op.parameters["certificate_kind"]
        return [
            (apdu.card.INS_GENERATE_KEY_PAIR, 0x00, 0x80 | apdu.KEY_EF[kind]),
            (apdu.card.INS_UPDATE_BINARY, 0x80 | apdu.CERT_EF[kind], 0x00),
        ]
    return []


def card_operation_authorise(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    card_id: str,
    challenge: bytes,
    command: CardCommand,
) -> bytes:
    """Ask the issuer to unlock one issuer-only command for the card at this desk.

    Only the commands the operation's kind needs, once each, and a certificate
    write only for the exact certificate the issuer made for this operation. The
    issuer sees the card id, its challenge and the command, never a PIN.
    """
    from jpki_ops.issuer.gateway import get_issuer

    with transaction.atomic():
        op = _locked_claimed(operation_id, desk, agent_session)
        allowed = [
            (ins, p1, p2)
            for ins, p1, p2 in _allowed_commands(op)
            if (ins, p1, p2) == (command.ins, command.p1, command.p2)
        ]
        used = list(op.progress.get("authorised", []))
        if not allowed or f"{command.ins:02X}" in used:
            raise PermissionDenied(
                "issuer-authorisation-not-allowed",
                _("This operation may not unlock that card command (again)."),
                extra={"ins": f"{command.ins:02X}"},
            )
        if command.ins == apdu.card.INS_UPDATE_BINARY:
            expected = op.progress.get("certificate_sha256")
            if (
                not expected
                or command.data_sha256 is None
                or (command.data_sha256.hex() != expected)
            ):
                raise PermissionDenied(
                    "issuer-authorisation-wrong-certificate",
                    _("Only the certificate issued for this operation may be written."),
                )
        elif command.data_sha256 is not None:
            raise PermissionDenied(
                "issuer-authorisation-not-allowed",
                _("This operation may not unlock that card command (again)."),
            )
        card_seen = op.progress.get("card_id")
        if card_seen and card_seen != card_id:
            raise PermissionDenied(
                "issuer-authorisation-other-card",
                _(
                    "The card in the reader is not the card this operation "
                    "started with."
                ),
            )
        try:
            authorisation = get_issuer().authorise_card_command(
                card_id=card_id, challenge=challenge, command=command
            )
        except ValueError as exc:
            raise ApplicationError(
                "issuer-authorisation-bad-request",
                _("The issuer refused the authorisation request."),
            ) from exc
        op.progress = {
            **op.progress,
            "card_id": card_id,
            "authorised": [*used, f"{command.ins:02X}"],
        }
        op.save(update_fields=["progress", "updated_at"])
        _audit(
            "card_command_authorised",
            op,
            data={
                "ins": f"{command.ins:02X}",
                "p1": f"{command.p1:02X}",
                "p2": f"{command.p2:02X}",
                "simulated_issuer": True,
            },
        )
    return authorisation.external_authenticate_data


def card_operation_certify(
    *,
    operation_id: int,
    desk: Desk,
    agent_session: str,
    card_id: str,
    public_key_der: bytes,
) -> dict[str, Any]:
    """cert_issue: the issuer certifies the key the card just generated."""
    from jpki_ops.issuer.gateway import HolderAttributes, get_issuer

    with transaction.atomic():
        op = _locked_claimed(operation_id, desk, agent_session)
        if op.kind != Kind.CERT_ISSUE:
            raise PermissionDenied(
                "card-operation-wrong-kind",
                _("This operation does not issue certificates."),
            )
        if op.progress.get("certificate_sha256"):
            raise Conflict(
                "certificate-already-issued",
                _("A certificate was already issued for this operation."),
            )
        if op.progress.get("card_id") and op.progress["card_id"] != card_id:
            raise PermissionDenied(
                "issuer-authorisation-other-card",
                _(
                    "The card in the reader is not the card this operation "
                    "started with."
                ),
            )
        kind = op.parameters["certificate_kind"]
        holder = None
        resident = op.case.resident if op.case is not None else None
        if kind == CertificateKind.SIGNING:
            if resident is None:
                raise ApplicationError(
                    "certificate-needs-case",
                    _("A signing certificate is issued only within a case."),
                )
            holder = HolderAttributes(
                name=resident.name,
                address=resident.address,
                birth_date=resident.birth_date,
                gender={"male": "1", "female": "2"}.get(resident.gender, "9"),
                municipality_code=op.desk.office.municipality.code[:5],
            )
        not_after = _certificate_not_after(op, resident)
        issued = get_issuer().issue_certificate(
            kind=kind,
            public_key_der=public_key_der,
            card_id=card_id,
            not_after=not_after,
            holder=holder,
        )
        digest = hashlib.sha256(issued.der).hexdigest()
        op.progress = {
            **op.progress,
            "card_id": card_id,
            "certificate_sha256": digest,
            "certificate_serial": f"{issued.serial:X}",
        }
        op.save(update_fields=["progress", "updated_at"])
        _audit(
            "certificate_issued_for_card",
            op,
            data={
                "certificate_kind": kind,
                "serial": f"{issued.serial:X}",
                "not_after": issued.not_after.isoformat(),
                "simulated_issuer": True,
            },
        )
    return {
        "certificate": issued.der,
        "serial": f"{issued.serial:X}",
        "not_after": issued.not_after,
        "sha256": digest,
    }


def _certificate_not_after(op: CardOperation, resident: Any) -> dt.datetime:
    """The validity end: given by the procedure, else the foundation's rules (§3)."""
    raw = op.parameters.get("not_after")
    if raw:
        value = dt.datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    from counter.constants import CardStatus
    from counter.validity import card_expiry, certificate_expiry

    today = timezone.localdate()
    if resident is None:
        raise ApplicationError(
            "certificate-needs-validity",
            _("Give the certificate's validity or issue it within a case."),
        )
    card = (
        resident.cards.filter(status=CardStatus.ACTIVE).order_by("-issued_on").first()
    )
    card_expires_on = (
        card.expires_on
        if card
        else card_expiry(
            issued_on=today,
            birth_date=resident.birth_date,
            residence_period_end=resident.residence_period_end,
        )
    )
    validity = certificate_expiry(
        kind=op.parameters["certificate_kind"],
        issued_on=today,
        birth_date=resident.birth_date,
        card_expires_on=card_expires_on,
        residence_period_end=resident.residence_period_end,
    )
    # 23:59:59 JST on the last day, like J-LIS's own notAfter (card-protocol §10.1).
    return dt.datetime.combine(validity.expires_on, dt.time(14, 59, 59), tzinfo=dt.UTC)


def _check_certificate_written(op: CardOperation, result: dict[str, Any]) -> None:
    expected = op.progress.get("certificate_sha256")
    if not expected or result.get("certificate_fingerprint") != expected:
        raise Conflict(
            "certificate-not-on-card",
            _("The certificate read back from the card is not the one issued."),
        )


# --- desk agent credentials ------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def desk_agent_credential_issue(
    *, desk: Desk, created_by: Any = None
) -> tuple[DeskAgentCredential, str]:
    """A new secret for ``desk``'s agent; the plain token is returned only here."""
    token = "mda_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        credential = DeskAgentCredential.objects.create(
            desk=desk,
            token_hash=_token_hash(token),
            token_prefix=token[:12],
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        audit_record(
            action="desk_agent_credential_issued",
            actor=created_by,
            actor_label="" if created_by else "manage.py",
            desk=desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
    return credential, token


def desk_agent_credential_revoke(
    *, credential: DeskAgentCredential, revoked_by: Any = None
) -> DeskAgentCredential:
    with transaction.atomic():
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        audit_record(
            action="desk_agent_credential_revoked",
            actor=revoked_by,
            desk=credential.desk,
            obj=credential,
            data={"token_prefix": credential.token_prefix},
        )
    return credential


def desk_agent_authenticate(*, token: str) -> DeskAgentCredential | None:
    """The active credential for ``token``, or None."""
    if not token:
        return None
    return (
        DeskAgentCredential.objects.select_related("desk__office__municipality")
        .filter(
            token_hash=_token_hash(token), revoked_at__isnull=True, desk__active=True
        )
        .first()
    )
