"""`jingying manage care_escalate_concerns`: move overdue concerns one level up (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Escalate overdue concerns to the parent of their responsible unit and notify its leaders."

    def handle(self, *args: Any, **options: Any) -> None:
        from jingying.care.services.concerns import concerns_escalate_overdue

        moved = concerns_escalate_overdue()
        self.stdout.write(f"escalated {moved}")
