"""Background work for concerns: the daily escalation of overdue ones (as a django-task)."""

from __future__ import annotations

from django_tasks import task


@task()
def concerns_escalate_overdue_task() -> int:
    from jingying.care.services.concerns import concerns_escalate_overdue

    return concerns_escalate_overdue()
