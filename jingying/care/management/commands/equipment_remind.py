"""`jingying manage equipment_remind`: tell unit leaders about expired or expiring protective
equipment (run daily from cron or the task worker; see jingying.care.tasks_fund)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Notify each unit's nearest leaders of protective equipment expired or expiring within 60 days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        from jingying.care.services.equipment import equipment_remind_expiring

        written = equipment_remind_expiring(days=options["days"])
        self.stdout.write(f"{written} notifications")
