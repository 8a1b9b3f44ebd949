"""The retention job covers every transient upload kind, not just the roster: the hospital checkup
results workbook (health.CheckupImport) too. Evidence files of rights cases are part of a record
and are not listed (jingying.core.retention)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.core.retention import purge_transient_uploads
from jingying.core.testing import login_client
from jingying.health.models import CheckupImport
from jingying.health.tests.factories_checkups import make_plan
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _checkup_job(plan: Any, user: Any, status: str, days_old: int) -> CheckupImport:
    job = CheckupImport(plan=plan, created_by=user, file_name="体检.xlsx", status=status)
    job.file.save(f"{job.pk}.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    job.save()
    past = timezone.now() - dt.timedelta(days=days_old)
    CheckupImport.objects.filter(pk=job.pk).update(created_at=past, finished_at=past if status != "importing" else None)
    return job


def test_checkup_uploads_are_covered() -> None:
    assert "health.CheckupImport" in django_settings.JINGYING_TRANSIENT_UPLOADS
    assert "care.RightsEvidence" not in django_settings.JINGYING_TRANSIENT_UPLOADS  # evidence is a record


def test_checkup_import_files_follow_the_same_rule() -> None:
    tree = Tree()
    user = make_user("medic", role=Role.MEDICAL, unit=tree.region, domains=["health"])
    plan = make_plan(tree.county)
    done = _checkup_job(plan, user, "done", 8)
    waiting = _checkup_job(plan, user, "valid", 8)
    running = _checkup_job(plan, user, "importing", 30)
    recent = _checkup_job(plan, user, "invalid", 1)
    paths = {job.pk: Path(job.file.path) for job in (done, waiting, running, recent)}

    result = purge_transient_uploads()

    assert result.jobs == 2
    assert not paths[done.pk].exists() and not paths[waiting.pk].exists()
    assert paths[running.pk].exists() and paths[recent.pk].exists()
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert not done.file and done.status == "done"
    assert waiting.status == "failed" and "重新上传" in waiting.message  # cannot be confirmed without its file
    assert AuditEntry.objects.filter(action="core.upload.purge", object_type="health.checkupimport").count() == 2
    # The uploader's job page still opens and says why.
    client: Client = login_client(user)
    page = client.get(reverse("health:checkup_import_job", args=[waiting.pk]))
    assert page.status_code == 200 and "重新上传" in page.content.decode()


def test_abandoned_screen_imports_waiting_for_confirmation_go_after_a_day() -> None:
    import os

    from jingying.core.sheets import pending_dir

    directory = pending_dir()
    directory.mkdir(parents=True, exist_ok=True)
    old, fresh = directory / "00000000-0000-4000-8000-000000000001.xlsx", directory / "00000000-0000-4000-8000-000000000002.xlsx"
    for path in (old, fresh):
        path.write_bytes(b"PK\x03\x04")
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))

    result = purge_transient_uploads()

    assert not old.exists() and fresh.exists()  # a confirm step minutes away keeps its file
    assert result.orphans >= 1
    entry = AuditEntry.objects.get(action="core.upload.purge_pending")
    assert entry.after["files"] == [old.name]
