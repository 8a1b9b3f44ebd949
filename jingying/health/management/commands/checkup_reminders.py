"""`jingying manage checkup_reminders`: today's follow-up reminders (run once a day, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Remind officers of follow-ups due in a week or overdue since yesterday, and their medical liaisons."

    def handle(self, *args: Any, **options: Any) -> None:
        from jingying.health.services.checkups import followup_reminders

        summary = followup_reminders()
        self.stdout.write(f"{summary['officers']} officer reminders, {summary['liaisons']} liaison digests")
