"""Check the audit trail: every chain's hashes, links and sequence numbers, and
its head against the last signed checkpoint kept outside the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter.audit import chain_heads, verify_chain
from counter.checkpoints import (
    CheckpointError,
    compare_with,
    last_checkpoint,
    write_checkpoint,
)
from counter.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail and compare their heads with the "
        "last signed checkpoint; exits 1 if a row was changed or removed. On success "
        "a new checkpoint is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Verify only; write no new checkpoint (for a read-only copy).",
        )
        parser.add_argument(
            "--checkpoints-from",
            metavar="DIR",
            help=(
                "Compare with the newest checkpoint in DIR, the store directory of "
                "the database this one was restored from (docs/operations.md)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = [f"{p.kind}: {p.detail}" for p in verify_chain()]
        try:
            source = options.get("checkpoints_from")
            checkpoint = last_checkpoint(Path(source) if source else None)
        except CheckpointError as exc:
            checkpoint = None
            problems.append(f"forged: {exc}")
        if source and checkpoint is None and not problems:
            problems.append(f"missing: no checkpoint in {source}")
        if checkpoint is not None:
            problems += [f"{p.kind}: {p.detail}" for p in compare_with(checkpoint)]
        total = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit chain broken: {len(problems)} problem(s) in {total} events."
            )
        heads = chain_heads()
        if not heads:
            head_text = "empty"
        elif len(heads) == 1:
            ((_chain, (seq, hash_)),) = heads.items()
            head_text = f"#{seq} {hash_}"
        else:
            head_text = "; ".join(
                f"chain {c} #{s} {h}" for c, (s, h) in sorted(heads.items())
            )
        self.stdout.write(
            f"Audit chain intact: {total} events in {len(heads)} chain(s), "
            f"head {head_text}"
        )
        if checkpoint is not None and options["verbosity"] >= 2:
            self.stdout.write(f"Checked against checkpoint {checkpoint.path}")
        if not options["no_checkpoint"]:
            try:
                written = write_checkpoint()
            except CheckpointError as exc:
                raise CommandError(f"Checkpoint not written: {exc}") from exc
            if options["verbosity"] >= 2:
                self.stdout.write(f"Checkpoint written: {written.path}")
