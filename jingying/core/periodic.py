"""Periodic jobs: overdue escalations and reminders that must happen without anyone clicking.

`jingying serve` starts `jingying periodic --loop` next to the task worker; on a node without it,
cron can call `jingying periodic` every few minutes instead. Each job is a function taking no
arguments, listed with its interval in settings.JINGYING_PERIODIC_JOBS; a job that raises is
logged and retried at its next interval, never stopping the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jingying.core.models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    function: str  # "module.path:function"
    every_minutes: int


def configured_jobs() -> list[Job]:
    return [Job(name, function, int(minutes)) for name, function, minutes in settings.JINGYING_PERIODIC_JOBS]


def _claim(job: Job, now: dt.datetime) -> bool:
    """Mark `job` started if it is due; False when it ran recently (here or on another node)."""
    with transaction.atomic():
        run, _created = PeriodicRun.objects.select_for_update().get_or_create(name=job.name)
        if run.started_at is not None and now - run.started_at < dt.timedelta(minutes=job.every_minutes):
            return False
        run.started_at = now
        run.save(update_fields=["started_at"])
    return True


def run_due(*, now: dt.datetime | None = None) -> dict[str, str]:
    """Run every job that is due; returns {job name: result} for the jobs that ran."""
    moment = now or timezone.now()
    results: dict[str, str] = {}
    for job in configured_jobs():
        if not _claim(job, moment):
            continue
        module, _sep, name = job.function.partition(":")
        try:
            outcome = import_string(f"{module}.{name}")()
            result = str(outcome)[:200]
        except Exception as exc:  # one failing job must not stop the others
            log.exception("periodic job %s failed", job.name)
            result = f"error: {exc}"[:200]
        PeriodicRun.objects.filter(name=job.name).update(finished_at=timezone.now(), result=result)
        results[job.name] = result
    return results


def loop(*, interval_seconds: int = 60) -> None:  # pragma: no cover - runs until killed
    while True:
        try:
            run_due()
        except Exception:
            log.exception("periodic runner failed; trying again")
        time.sleep(interval_seconds)
