"""Background work of crisis escalation: the periodic "who has not acknowledged in time" run."""

from __future__ import annotations

from django_tasks import task


@task()
def crisis_escalate() -> int:
    from jingying.health.services.crisis import crisis_escalate_overdue

    return crisis_escalate_overdue()
