"""Background jobs of the care-fund part: the daily protective-equipment reminder."""

from __future__ import annotations

from django_tasks import task


@task()
def equipment_remind_task(days: int = 60) -> int:
    from jingying.care.services.equipment import equipment_remind_expiring

    return equipment_remind_expiring(days=days)
