"""The care-support periodic jobs, callable from the CLI (`jingying care remind`) and as a task."""

from __future__ import annotations

from django_tasks import task

from jingying.care.services.campaigns import care_campaign_remind
from jingying.care.services.insurance import insurance_remind_expiring


def run_support_reminders() -> dict[str, int]:
    return {"campaigns": care_campaign_remind(), "insurance": insurance_remind_expiring()}


@task()
def support_reminders_task() -> dict[str, int]:
    return run_support_reminders()
