"""Retention of roster uploads (jingying.core.retention): workbooks of finished, failed and
abandoned imports are deleted after JINGYING_UPLOAD_RETENTION_DAYS, the job row stays with its
summary, a running job is never touched, and the job page says the file is gone."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.cli import main
from jingying.core import periodic
from jingying.core.audit import verify
from jingying.core.models import AuditEntry
from jingying.core.retention import purge_transient_uploads
from jingying.org.models import Person, RosterImport
from jingying.org.tasks import error_workbook_path
from jingying.org.tests.factories import Tree, make_user
from jingying.org.tests.test_roster import person_row, write_book
from jingying.org.tests.test_roster_views import body, login, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def tree() -> Tree:
    return Tree()


@pytest.fixture
def clerk(tree: Tree) -> Any:
    return make_user("county_pd", role=Role.POLITICAL, unit=tree.county)


def _job(client: Client, tmp_path: Path, name: str, rows: list[dict[str, Any]]) -> RosterImport:
    response = upload(client, write_book(tmp_path / name, rows))
    assert response.status_code == 302
    return RosterImport.objects.get(file_name=name)


def _age(job: RosterImport, days: int) -> None:
    past = timezone.now() - dt.timedelta(days=days)
    RosterImport.objects.filter(pk=job.pk).update(created_at=past, finished_at=past)


def test_old_files_go_recent_and_running_ones_stay(tree: Tree, clerk: Any, tmp_path: Path, media: Path) -> None:
    client = login(clerk)
    invalid = _job(client, tmp_path, "错.xlsx", [person_row(身份证号="123")])
    assert invalid.status == RosterImport.Status.INVALID
    invalid_paths = [Path(invalid.file.path), Path(error_workbook_path(invalid))]
    assert all(p.is_file() for p in invalid_paths)
    done = _job(client, tmp_path, "好.xlsx", [person_row()])
    client.post(reverse("org:roster_job_confirm", args=[done.pk]))
    done.refresh_from_db()
    assert done.status == RosterImport.Status.DONE
    recent = _job(client, tmp_path, "新.xlsx", [person_row(姓名="李四", 身份证号="110105194912310029", 出生日期="1949-12-31", 性别="女")])
    running = RosterImport(created_by=clerk, file_name="跑.xlsx", status=RosterImport.Status.IMPORTING)
    running.file.save(f"{running.pk}.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    running.save()
    for job in (invalid, done, running):
        _age(job, 8)
    summary_before = RosterImport.objects.get(pk=done.pk).summary

    result = purge_transient_uploads()

    assert result.jobs == 2 and result.files == 3
    assert not any(p.exists() for p in invalid_paths)
    assert not Path(done.file.path).exists()
    for job in (invalid, done):
        job.refresh_from_db()
        assert job.file_removed_at is not None and not job.file
    assert RosterImport.objects.get(pk=done.pk).summary == summary_before  # the record stays
    assert Path(recent.file.path).is_file() and RosterImport.objects.get(pk=recent.pk).file_removed_at is None
    running.refresh_from_db()
    assert Path(running.file.path).is_file() and running.file_removed_at is None  # never while it runs
    entries = AuditEntry.objects.filter(action="core.upload.purge")
    assert entries.count() == 2 and set(entries.values_list("actor_name", flat=True)) == {"system"}
    assert {e.object_id for e in entries} == {str(invalid.pk), str(done.pk)}
    assert verify().ok
    assert purge_transient_uploads().jobs == 0  # nothing twice


def test_retention_period_is_configurable(tree: Tree, clerk: Any, tmp_path: Path, settings: Any) -> None:
    job = _job(login(clerk), tmp_path, "错.xlsx", [person_row(身份证号="123")])
    _age(job, 3)
    assert purge_transient_uploads().jobs == 0  # default 7 days
    settings.JINGYING_UPLOAD_RETENTION_DAYS = 2
    assert purge_transient_uploads().jobs == 1


def test_cleaned_job_page_says_the_file_is_gone(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    client = login(clerk)
    job = _job(client, tmp_path, "错.xlsx", [person_row(身份证号="123")])
    _age(job, 8)
    purge_transient_uploads()
    page = client.get(reverse("org:roster_job", args=[job.pk]))
    text = body(page)
    assert page.status_code == 200
    assert "按保留期限删除" in text and "校验未通过" in text  # the summary is still shown
    assert reverse("org:roster_job_errors", args=[job.pk]) not in text
    errors = client.get(reverse("org:roster_job_errors", args=[job.pk]))
    assert errors.status_code == 302 and errors.url == reverse("org:roster_job", args=[job.pk])
    assert "错.xlsx" in body(client.get(reverse("org:roster_import")))


def test_abandoned_valid_job_cannot_be_confirmed_after_cleaning(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    client = login(clerk)
    job = _job(client, tmp_path, "待.xlsx", [person_row()])
    assert job.status == RosterImport.Status.VALID
    _age(job, 8)
    purge_transient_uploads()
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED and "重新上传" in job.message
    confirm = client.post(reverse("org:roster_job_confirm", args=[job.pk]))
    assert confirm.status_code == 302
    assert Person.objects.count() == 0
    text = body(client.get(reverse("org:roster_job", args=[job.pk])))
    assert "按保留期限删除" in text and "roster-confirm" not in text


def test_confirm_racing_the_cleaner_wins(tree: Tree, clerk: Any, tmp_path: Path) -> None:
    """The cleaner claims a job only in the state it read; a job confirmed meanwhile is left."""
    client = login(clerk)
    job = _job(client, tmp_path, "待.xlsx", [person_row()])
    _age(job, 8)
    stale = RosterImport.objects.get(pk=job.pk)
    RosterImport.objects.filter(pk=job.pk).update(status=RosterImport.Status.IMPORTING)
    from jingying.core.retention import PurgeResult, _purge_job
    from jingying.org.tasks import job_extra_files

    result = PurgeResult()
    _purge_job(RosterImport, stale, job_extra_files, now=timezone.now(), days=7, result=result)
    assert result.jobs == 0 and Path(job.file.path).is_file()


def test_orphan_files_are_swept(tree: Tree, clerk: Any, tmp_path: Path, media: Path) -> None:
    folder = media / "roster_imports"
    folder.mkdir(parents=True)
    old_orphan = folder / f"{uuid.uuid4()}.xlsx"
    old_errors = folder / f"{uuid.uuid4()}-errors.xlsx"
    new_orphan = folder / f"{uuid.uuid4()}.xlsx"
    for p in (old_orphan, old_errors, new_orphan):
        p.write_bytes(b"x")
    past = (timezone.now() - dt.timedelta(days=9)).timestamp()
    for p in (old_orphan, old_errors):
        os.utime(p, (past, past))
    live = _job(login(clerk), tmp_path, "错.xlsx", [person_row(身份证号="123")])
    os.utime(live.file.path, (past, past))  # an old file a live, recent row still holds
    result = purge_transient_uploads()
    assert result.orphans == 2
    assert not old_orphan.exists() and not old_errors.exists()
    assert new_orphan.exists() and Path(live.file.path).exists()
    assert AuditEntry.objects.get(action="core.upload.purge_orphans").after["count"] == 2


def test_registered_as_a_periodic_job_and_a_command(tree: Tree, clerk: Any, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert "core.upload_retention" in {job.name for job in periodic.configured_jobs()}
    job = _job(login(clerk), tmp_path, "错.xlsx", [person_row(身份证号="123")])
    _age(job, 8)
    results = periodic.run_due()
    assert results["core.upload_retention"].startswith("jobs=1")
    job = _job(login(clerk), tmp_path, "错2.xlsx", [person_row(身份证号="456")])
    _age(job, 2)
    assert main(["uploads", "purge", "--days", "1"]) == 0
    assert "已清理 1 个导入任务" in capsys.readouterr().out
    assert main(["uploads", "purge", "--days", "0"]) == 2
