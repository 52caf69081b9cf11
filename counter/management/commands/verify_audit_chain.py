"""Check the audit trail: every hash recomputed, every link and sequence number."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from counter.audit import verify_chain
from counter.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exits 1 if it was tampered with."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        total = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"{problem.kind}: {problem.detail}")
            raise CommandError(
                f"Audit chain broken: {len(problems)} problem(s) in {total} events."
            )
        head = AuditEvent.objects.order_by("-seq").first()
        head_text = f"#{head.seq} {head.hash}" if head else "empty"
        self.stdout.write(f"Audit chain intact: {total} events, head {head_text}")
