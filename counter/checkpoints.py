"""Signed checkpoints of the audit chains' heads, kept outside the database.

A hash chain shows a changed or removed row in the middle; it cannot show a cut
end (the last rows deleted, the table truncated, a row edited and every later hash
recomputed). So the head of every chain is witnessed outside the database: an
HMAC-signed file written at a fixed interval (the beat task) and at every
``verify_audit_chain`` run, with a key the database does not hold. Verification
fails when a chain is shorter than, or differs from, the last checkpoint
(docs/security/audit-trail.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection

from counter.audit import chain_heads
from counter.models import AuditEvent

KEY_FILE_NAME = "checkpoint.key"


class CheckpointError(RuntimeError):
    """The checkpoint store or key cannot be used."""


@dataclass(frozen=True)
class Checkpoint:
    written_at: str
    heads: dict[int, tuple[int, str]]
    path: Path


@dataclass(frozen=True)
class CheckpointProblem:
    chain: int
    kind: str  # "shorter", "diverged", "forged"
    detail: str


def store_dir() -> Path:
    """This database's own directory in the store: checkpoints never mix databases."""
    db = connection.settings_dict
    ident = f"{db.get('HOST') or 'local'}_{db.get('PORT') or 'default'}_{db['NAME']}"
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in ident)
    return Path(settings.AUDIT_CHECKPOINT_DIR) / safe


def _key() -> bytes:
    if settings.AUDIT_CHECKPOINT_KEY:
        return str(settings.AUDIT_CHECKPOINT_KEY).encode()
    path = Path(
        settings.AUDIT_CHECKPOINT_KEY_FILE
        or Path(settings.AUDIT_CHECKPOINT_DIR) / KEY_FILE_NAME
    )
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()
    except OSError as exc:
        raise CheckpointError(f"cannot read the checkpoint key {path}: {exc}") from exc


def _payload(
    written_at: str, database: str, heads: dict[int, tuple[int, str]]
) -> bytes:
    body = {
        "written_at": written_at,
        "database": database,
        "heads": {str(c): [s, h] for c, (s, h) in sorted(heads.items())},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def write_checkpoint() -> Checkpoint:
    """Witness every chain's head now; a new file each time (never overwritten)."""
    heads = chain_heads()
    now = datetime.now(UTC)
    written_at = now.isoformat(timespec="microseconds")
    directory = store_dir()
    mac = hmac.new(_key(), _payload(written_at, directory.name, heads), hashlib.sha256)
    record = {
        "written_at": written_at,
        "database": directory.name,
        "heads": {str(c): [s, h] for c, (s, h) in sorted(heads.items())},
        "hmac_sha256": mac.hexdigest(),
    }
    path = directory / f"{now:%Y%m%dT%H%M%S%f}Z.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, sort_keys=True)
    except OSError as exc:
        raise CheckpointError(f"cannot write the checkpoint {path}: {exc}") from exc
    return Checkpoint(written_at, heads, path)


def last_checkpoint(directory: Path | None = None) -> Checkpoint | None:
    """The newest checkpoint of this database (or of the database whose store
    ``directory`` is given: a restored copy is held against its source's
    checkpoints); a bad signature raises."""
    directory = directory or store_dir()
    files = sorted(directory.glob("*Z.json")) if directory.is_dir() else []
    if not files:
        return None
    path = files[-1]
    try:
        record: dict[str, Any] = json.loads(path.read_text())
        heads = {int(c): (int(s), str(h)) for c, (s, h) in record["heads"].items()}
        written_at = str(record["written_at"])
        claimed = str(record["hmac_sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {path.name} cannot be read: {exc}") from exc
    expected = hmac.new(
        _key(), _payload(written_at, str(record.get("database")), heads), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, claimed) or record.get("database") != (
        directory.name
    ):
        raise CheckpointError(
            f"checkpoint {path.name} has a bad signature (forged or another key)"
        )
    return Checkpoint(written_at, heads, path)


def compare_with(checkpoint: Checkpoint) -> list[CheckpointProblem]:
    """Each chain the checkpoint saw must still reach its head, with the same hash."""
    problems: list[CheckpointProblem] = []
    current = chain_heads()
    for chain, (seq, expected_hash) in sorted(checkpoint.heads.items()):
        now_seq = current.get(chain, (0, ""))[0]
        row = (
            AuditEvent.objects.filter(chain=chain, seq=seq)
            .values_list("hash", flat=True)
            .first()
        )
        if row is None:
            ends = f"ends at #{now_seq}" if now_seq else "has no rows"
            problems.append(
                CheckpointProblem(
                    chain,
                    "shorter",
                    f"chain {chain} {ends}, but the checkpoint of "
                    f"{checkpoint.written_at} saw #{seq}",
                )
            )
        elif row != expected_hash:
            problems.append(
                CheckpointProblem(
                    chain,
                    "diverged",
                    f"chain {chain}: #{seq} differs from the checkpoint of "
                    f"{checkpoint.written_at} (rewritten history)",
                )
            )
    return problems


@shared_task(name="counter.write_audit_checkpoint")
def write_audit_checkpoint() -> str:
    """Beat: witness the chain heads at a fixed interval."""
    return str(write_checkpoint().path)
