"""Periodic jobs: due jobs run once per interval, a failing job is recorded and the rest still run."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from jingying.core import periodic
from jingying.core.models import PeriodicRun
from jingying.core.periodic_cli import cli_periodic

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def job_a() -> int:
    CALLS.append("a")
    return 3


def job_broken() -> None:
    CALLS.append("broken")
    raise RuntimeError("数据库连不上")


JOBS = [("a", "jingying.core.tests.test_periodic:job_a", 10),
        ("broken", "jingying.core.tests.test_periodic:job_broken", 10)]


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@override_settings(JINGYING_PERIODIC_JOBS=JOBS)
def test_due_jobs_run_once_per_interval_and_a_failure_does_not_stop_the_others() -> None:
    now = timezone.now()
    results = periodic.run_due(now=now)
    assert CALLS == ["a", "broken"]
    assert results["a"] == "3" and results["broken"].startswith("error: ")
    assert PeriodicRun.objects.get(name="broken").result.startswith("error: 数据库连不上")
    assert periodic.run_due(now=now + dt.timedelta(minutes=9)) == {}
    assert CALLS == ["a", "broken"]
    periodic.run_due(now=now + dt.timedelta(minutes=10))
    assert CALLS == ["a", "broken", "a", "broken"]


@override_settings(JINGYING_PERIODIC_JOBS=JOBS[:1])
def test_cli_runs_the_due_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_periodic(argparse.Namespace(loop=False)) == 0
    assert "a: 3" in capsys.readouterr().out
    assert cli_periodic(argparse.Namespace(loop=False)) == 0
    assert "没有到期的定时任务" in capsys.readouterr().out


def test_every_configured_job_names_a_function_that_exists() -> None:
    from django.utils.module_loading import import_string

    for job in periodic.configured_jobs():
        module, _sep, name = job.function.partition(":")
        assert callable(import_string(f"{module}.{name}")), job.name
