"""Import jobs whose worker died (still "validating"/"importing" long after they could be) are
marked failed by the retention job, audited as a system action; their files then follow the
normal retention period, counted from that moment (jingying.core.retention)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.audit import verify
from jingying.core.models import AuditEntry
from jingying.core.retention import purge_transient_uploads
from jingying.health.models import CheckupImport
from jingying.health.tests.factories_checkups import make_plan
from jingying.org.models import RosterImport
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _job(model: Any, status: str, age: dt.timedelta, **fields: Any) -> Any:
    job = model(file_name="上传.xlsx", status=status, **fields)
    job.file.save(f"{job.pk}.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    job.save()
    model.objects.filter(pk=job.pk).update(created_at=timezone.now() - age, finished_at=None)
    return job


def test_stale_running_jobs_are_failed_then_follow_retention(settings: Any) -> None:
    settings.JINGYING_IMPORT_STALE_HOURS = 6
    settings.JINGYING_UPLOAD_RETENTION_DAYS = 7
    tree = Tree()
    clerk = make_user("clerk", role=Role.POLITICAL, unit=tree.region)
    medic = make_user("medic", role=Role.MEDICAL, unit=tree.region, domains=["health"])
    plan = make_plan(tree.county)
    dead_roster = _job(RosterImport, "validating", dt.timedelta(hours=7), created_by=clerk)
    live_roster = _job(RosterImport, "validating", dt.timedelta(hours=5), created_by=clerk)
    dead_checkup = _job(CheckupImport, "validating", dt.timedelta(hours=7), created_by=medic, plan=plan)
    # An importing job may have been confirmed days after its upload: only past the longest wait
    # for a confirm (7 days, plus a run of the job) and the limit is it surely dead.
    late_confirm = _job(CheckupImport, "importing", dt.timedelta(days=7), created_by=medic, plan=plan)
    dead_import = _job(RosterImport, "importing", dt.timedelta(days=8), created_by=clerk)

    result = purge_transient_uploads()

    assert result.interrupted == 3
    for job in (dead_roster, dead_checkup, dead_import):
        job.refresh_from_db()
        assert job.status == "failed" and job.message == "处理中断，请重新上传" and job.finished_at is not None
        assert Path(job.file.path).is_file()  # the file now waits out the retention period
    for job in (live_roster, late_confirm):
        job.refresh_from_db()
        assert job.status in ("validating", "importing") and job.finished_at is None
    entries = AuditEntry.objects.filter(action="core.upload.interrupted")
    assert {e.object_id for e in entries} == {str(dead_roster.pk), str(dead_checkup.pk), str(dead_import.pk)}
    assert set(entries.values_list("actor_name", flat=True)) == {"system"}
    assert entries.get(object_id=str(dead_roster.pk)).after == {"status": "failed"}
    assert verify().ok
    assert purge_transient_uploads().interrupted == 0  # nothing twice

    # Past the retention period after being marked failed, its upload goes like any finished job's.
    RosterImport.objects.filter(pk=dead_roster.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert purge_transient_uploads().jobs == 1
    dead_roster.refresh_from_db()
    assert not dead_roster.file and dead_roster.file_removed_at is not None


def test_the_limit_is_configurable(settings: Any) -> None:
    tree = Tree()
    clerk = make_user("clerk", role=Role.POLITICAL, unit=tree.region)
    job = _job(RosterImport, "validating", dt.timedelta(hours=10), created_by=clerk)
    settings.JINGYING_IMPORT_STALE_HOURS = 12
    assert purge_transient_uploads().interrupted == 0
    settings.JINGYING_IMPORT_STALE_HOURS = 9
    assert purge_transient_uploads().interrupted == 1
    job.refresh_from_db()
    assert job.status == "failed"
