"""The results workbook built in the background: same content as the synchronous export, the
requester's only, permission re-checked at download, audited, expired files cleaned, failures
recorded; the same over the API."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.models import Grant
from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.org.tests.factories import make_user
from jingying.surveys import export, services_export, tasks
from jingying.surveys.models import ResultsExport
from jingying.surveys.tests.factories import good_answers
from jingying.surveys.tests.factories_analysis import add_responses
from jingying.surveys.tests.test_analysis_views import world  # noqa: F401  (fixture)
from jingying.surveys.tests.test_api import bearer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _start(client: Any, campaign: Any, **params: Any) -> Any:
    url = reverse("surveys:campaign_export", args=[campaign.pk])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{url}?{query}" if query else url)


def test_job_builds_the_same_workbook_as_the_synchronous_export(world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    client = login_client(region)
    started = _start(client, campaign)
    assert started.status_code == 302
    job = ResultsExport.objects.get()
    assert started["Location"] == reverse("surveys:export_job", args=[job.pk])
    assert job.status == "done" and job.unit_id == tree.region.pk and job.progress_done == job.progress_total > 0
    assert Path(job.file.path).is_relative_to(Path(settings.MEDIA_ROOT))  # under the data directory
    page = client.get(started["Location"]).content.decode()
    assert reverse("surveys:export_download", args=[job.pk]) in page and "文件保留到" in page
    downloaded = client.get(reverse("surveys:export_download", args=[job.pk]))
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"].startswith("attachment")
    expected = export.campaign_workbook(actor=region, campaign=campaign, unit=tree.region)
    assert _cells(_body(downloaded)) == _cells(expected)
    assert {"结果", "参与情况", "交叉分析", "指数", "主题"} <= set(_cells(expected))
    # Audited: the request (a job row) and the download (the data leaving), with the unit.
    assert AuditEntry.objects.filter(action="surveys.results_export.create", object_id=str(job.pk)).exists()
    entry = AuditEntry.objects.get(action="surveys.campaign.export")
    assert entry.object_id == str(campaign.pk) and entry.after["unit"] == tree.region.pk


def test_a_unit_below_keeps_its_scope_and_suppression(world: dict[str, Any]) -> None:  # noqa: F811
    county, campaign, tree = world["county"], world["campaign"], world["tree"]
    client = login_client(county)
    assert _start(client, campaign, unit=tree.region.pk).status_code == 404  # above the leader's units
    assert _start(client, campaign, unit=tree.other_county.pk).status_code == 404
    assert _start(client, campaign).status_code == 302
    job = ResultsExport.objects.get()
    assert job.unit_id == tree.county.pk
    cells = _cells(_body(client.get(reverse("surveys:export_download", args=[job.pk]))))
    assert cells == _cells(export.campaign_workbook(actor=county, campaign=campaign, unit=tree.county))
    flat = {v for rows in cells.values() for row in rows for v in row if v is not None}
    assert "装备老旧" not in flat and "食堂伙食需要改善" not in flat  # no text, no other county's data


def test_below_k_is_refused_before_any_job(world: dict[str, Any]) -> None:  # noqa: F811
    tree = world["tree"]
    from jingying.surveys.tests.factories import make_campaign

    thin = make_campaign(tree.region, version=world["version"], title="人少的调查")
    add_responses(thin, tree.station, 3, category="police", age_band="lt30", **good_answers())
    client = login_client(world["region"])
    refused = _start(client, thin)
    assert refused.status_code == 302 and "results" in refused["Location"]
    assert not ResultsExport.objects.exists()
    response = login_client(None).post(f"/api/v1/surveys/campaigns/{thin.pk}/exports", **bearer(world["region"]))
    assert response.status_code == 422 and "暂不能导出" in response.content.decode()


def test_htmx_swaps_the_button_for_the_job_status(world: dict[str, Any]) -> None:  # noqa: F811
    client = login_client(world["region"])
    url = reverse("surveys:campaign_export", args=[world["campaign"].pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 202
    body = response.content.decode()
    job = ResultsExport.objects.get()
    assert 'id="export-status"' in body and reverse("surveys:export_download", args=[job.pk]) in body
    # While it runs the fragment polls itself.
    ResultsExport.objects.filter(pk=job.pk).update(status="running", progress_done=3, progress_total=10)
    busy = client.get(reverse("surveys:export_job", args=[job.pk]), **HTMX).content.decode()
    assert "正在生成…" in busy and 'hx-trigger="every 1s"' in busy and "30%" in busy
    # The results page offers the button as a form (POST), not a link to a file (once this
    # export is no longer running: while it runs, its progress stands there instead).
    ResultsExport.objects.filter(pk=job.pk).update(status="done")
    page = client.get(reverse("surveys:campaign_results", args=[world["campaign"].pk])).content.decode()
    assert 'id="export-form"' in page and 'hx-post="' in page


def test_download_rechecks_the_permission(world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    client = login_client(region)
    _start(client, campaign)
    job = ResultsExport.objects.get()
    job_url, download_url = (reverse("surveys:export_job", args=[job.pk]),
                             reverse("surveys:export_download", args=[job.pk]))
    # Someone else, of another unit, with the same permission there: neither page nor file.
    other = login_client(make_user("other_pd", role=Role.POLITICAL, unit=tree.other_city))
    assert other.get(job_url).status_code == 404
    assert other.get(download_url).status_code == 404
    # Even a colleague over the same units cannot take the requester's file.
    colleague = login_client(make_user("colleague", role=Role.POLITICAL, unit=tree.region))
    assert colleague.get(download_url).status_code == 404
    # The requester's grant is revoked after the file was built: no download any more.
    assert client.get(download_url).status_code == 200
    Grant.objects.filter(user=region).delete()
    assert client.get(download_url).status_code == 404
    assert AuditEntry.objects.filter(action="surveys.campaign.export").count() == 1


def test_expired_files_are_cleaned(world: dict[str, Any]) -> None:  # noqa: F811
    client = login_client(world["region"])
    _start(client, world["campaign"])
    job = ResultsExport.objects.get()
    path = Path(job.file.path)
    assert path.is_file()
    assert job.expires_at - job.finished_at == dt.timedelta(hours=settings.JINGYING_SURVEY_EXPORT_HOURS)
    assert tasks.results_exports_cleanup() == "removed 0"  # not yet expired
    ResultsExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    # Past its time it is no longer handed out, even before the cleanup ran.
    assert client.get(reverse("surveys:export_download", args=[job.pk])).status_code == 404
    orphan = path.with_name("00000000-0000-0000-0000-000000000000.xlsx")  # its row went with its campaign
    orphan.write_bytes(b"x")
    old = (timezone.now() - dt.timedelta(hours=settings.JINGYING_SURVEY_EXPORT_HOURS + 1)).timestamp()
    os.utime(orphan, (old, old))
    assert tasks.results_exports_cleanup() == "removed 1"
    assert not path.exists() and not ResultsExport.objects.exists() and not orphan.exists()
    assert client.get(reverse("surveys:export_job", args=[job.pk])).status_code == 404
    registered = {name: fn for name, fn, _every in settings.JINGYING_PERIODIC_JOBS}
    assert registered["surveys.exports_cleanup"] == "jingying.surveys.tasks:results_exports_cleanup"


def test_failure_is_recorded_and_shown(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "results_workbook", broken)
    client = login_client(world["region"])
    started = _start(client, world["campaign"])
    job = ResultsExport.objects.get()
    assert job.status == "failed" and "内部错误" in job.message and job.finished_at is not None
    assert not job.file
    page = client.get(started["Location"]).content.decode()
    assert 'id="export-failed"' in page and "内部错误" in page and "disk full" not in page
    assert client.get(reverse("surveys:export_download", args=[job.pk])).status_code == 404


def test_grant_revoked_before_the_worker_runs(world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    job = ResultsExport.objects.create(campaign=campaign, unit=tree.region, created_by=region,
                                       expires_at=timezone.now() + dt.timedelta(hours=1))
    Grant.objects.filter(user=region).delete()
    services_export.results_export_build(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "没有导出该单位结果的权限" in job.message and not job.file


def test_api_start_status_download(world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    client = login_client(None)
    headers = bearer(region)
    started = client.post(f"/api/v1/surveys/campaigns/{campaign.pk}/exports?unit={tree.county.pk}", **headers)
    assert started.status_code == 202
    data = started.json()
    assert data["unit"] == tree.county.pk and data["status"] == "done"
    status = client.get(f"/api/v1/surveys/exports/{data['id']}", **headers).json()
    assert status["download"] == f"/api/v1/surveys/exports/{data['id']}/download"
    downloaded = client.get(status["download"], **headers)
    assert downloaded.status_code == 200
    assert _cells(_body(downloaded)) == _cells(export.campaign_workbook(actor=region, campaign=campaign,
                                                                         unit=tree.county))
    other = bearer(make_user("api_other", role=Role.POLITICAL, unit=tree.other_city))
    assert client.get(f"/api/v1/surveys/exports/{data['id']}", **other).status_code == 404
    assert client.get(status["download"], **other).status_code == 404
    assert client.post(f"/api/v1/surveys/campaigns/{campaign.pk}/exports?unit={tree.county.pk}",
                       **other).status_code == 404
    assert client.post(f"/api/v1/surveys/campaigns/{campaign.pk}/exports").status_code == 401


def test_the_quick_visibility_check_agrees_with_the_results(world: dict[str, Any]) -> None:  # noqa: F811
    from jingying.org.models import Unit
    from jingying.surveys import selectors

    campaign = world["campaign"]
    decisions = {}
    for unit in Unit.objects.filter(path__startswith=campaign.unit.path):
        full = selectors.campaign_results(actor=world["region"], campaign=campaign, unit=unit, with_texts=False)
        assert selectors.results_shown(campaign=campaign, unit=unit) == full.shown, unit.name
        decisions[unit.pk] = full.shown
    assert True in decisions.values() and False in decisions.values()  # both cases are exercised


def test_a_running_job_is_reused_unless_it_looks_lost(world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    running = ResultsExport.objects.create(campaign=campaign, unit=tree.region, created_by=region, status="running",
                                           expires_at=timezone.now() + dt.timedelta(hours=1))
    again = services_export.results_export_request(actor=region, campaign=campaign, unit=tree.region)
    assert again.pk == running.pk and ResultsExport.objects.count() == 1  # a double click builds one
    ResultsExport.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))
    fresh = services_export.results_export_request(actor=region, campaign=campaign, unit=tree.region)
    assert fresh.pk != running.pk and fresh.status == "done"


def test_coming_back_to_the_results_page_shows_the_export_in_progress_then_its_download(
        world: dict[str, Any]) -> None:  # noqa: F811
    region, campaign, tree = world["region"], world["campaign"], world["tree"]
    client = login_client(region)
    results = reverse("surveys:campaign_results", args=[campaign.pk])
    job = ResultsExport.objects.create(campaign=campaign, unit=tree.region, created_by=region,
                                       expires_at=timezone.now() + dt.timedelta(hours=24))
    page = client.get(results).content.decode()
    # Still building: its progress polls in place of the button (no second export started).
    assert 'id="export-busy"' in page and reverse("surveys:export_job", args=[job.pk]) in page
    assert 'id="export-form"' not in page
    # Another user's export of the same results is not shown to this one.
    other = make_user("region2", role=Role.POLITICAL, unit=tree.region)
    assert 'id="export-busy"' not in login_client(other).get(results).content.decode()
    ResultsExport.objects.filter(pk=job.pk).update(status=ResultsExport.Status.DONE)
    page = client.get(results).content.decode()
    assert reverse("surveys:export_download", args=[job.pk]) in page and 'id="export-form"' in page
    # An expired file or an old stuck job is no longer offered.
    ResultsExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert reverse("surveys:export_download", args=[job.pk]) not in client.get(results).content.decode()
