"""Editing and deleting screening rounds (services, screens, API), and the survey engine's
`purpose` that keeps screening campaigns out of "my surveys"."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.health.models import RoundCampaign, ScreeningRound
from jingying.health.services import screening
from jingying.health.tests.factories_psych import PHQ9_SAFE, make_round, psych_world, raw_for
from jingying.org.tests.factories import make_user
from jingying.surveys import selectors as survey_selectors
from jingying.surveys.models import Campaign, Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():  # type: ignore[no-untyped-def]
    return psych_world()


def _consent_and_answer(w, rnd, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    screening.consent_give(actor=w.officer, screening=rnd)
    link = rnd.campaigns.get(instrument_code="PHQ-9")
    with django_capture_on_commit_callbacks(execute=True):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, "PHQ-9", PHQ9_SAFE))


# --- purpose (coupling fix) ----------------------------------------------------------------


def test_screening_campaigns_are_marked_and_never_offered_as_surveys(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    purposes = set(Campaign.objects.filter(screening_link__round=rnd).values_list("purpose", flat=True))
    assert purposes == {"screening"}
    assert Invitation.objects.filter(person=w.officer_person, campaign__screening_link__round=rnd).count() == 2
    assert list(survey_selectors.my_invitations(actor=w.officer)) == []
    # Nor through the answering page or the API of ordinary surveys.
    client = login_client(w.officer)
    campaign_id = rnd.campaigns.first().campaign_id
    assert client.get(reverse("surveys:answer", args=[campaign_id])).status_code == 404
    assert client.get(f"/api/v1/surveys/mine/{campaign_id}").status_code == 404


def test_data_migration_marks_existing_screening_campaigns(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    ids = list(rnd.campaigns.values_list("campaign_id", flat=True))
    Campaign.objects.filter(pk__in=ids).update(purpose="survey")  # as before the field existed
    assert survey_selectors.my_invitations(actor=w.officer).count() == 2  # the leak the field closes
    migration = importlib.import_module("jingying.health.migrations.0003_screening_campaign_purpose")
    migration.mark_screening(global_apps, None)
    migration.mark_screening(global_apps, None)  # runs twice without harm
    assert set(Campaign.objects.filter(pk__in=ids).values_list("purpose", flat=True)) == {"screening"}
    assert survey_selectors.my_invitations(actor=w.officer).count() == 0


def test_surveys_knows_nothing_of_health() -> None:
    from pathlib import Path

    import jingying.surveys as pkg

    root = Path(pkg.__file__).parent
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "jingying.health" not in text and "screening_link" not in text, path


# --- edit ----------------------------------------------------------------------------------


def test_edit_before_anyone_answered_may_change_everything(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    old_campaigns = list(rnd.campaigns.values_list("campaign_id", flat=True))
    closes = rnd.closes_at + dt.timedelta(days=3)
    screening.round_update(actor=w.political, screening=rnd, title="新名称", description="请在工作日作答",
                           instruments=["PHQ-9"], unit=w.tree.station, closes_at=closes)
    rnd.refresh_from_db()
    assert (rnd.title, rnd.description, rnd.instruments, rnd.unit_id) == ("新名称", "请在工作日作答", ["PHQ-9"],
                                                                          w.tree.station.pk)
    links = list(rnd.campaigns.select_related("campaign"))
    assert [link.instrument_code for link in links] == ["PHQ-9"]
    campaign = links[0].campaign
    assert campaign.unit_id == w.tree.station.pk and campaign.closes_at == closes and campaign.purpose == "screening"
    assert campaign.title == "新名称·PHQ-9"
    assert not Campaign.objects.filter(pk__in=old_campaigns).exists()  # rebuilt, old invitations gone
    assert Invitation.objects.filter(campaign=campaign, person=w.officer_person).exists()
    entry = AuditEntry.objects.filter(action="health.screening_round.update").get()
    assert entry.before["title"] == "年度心理筛查" and entry.after["title"] == "新名称"
    assert AuditEntry.objects.filter(action="surveys.campaign.delete").count() == 2


def test_edit_after_answers_only_title_text_and_closing(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    _consent_and_answer(w, rnd, django_capture_on_commit_callbacks)
    for change in ({"instruments": ["PHQ-9"]}, {"unit": w.tree.station},
                   {"opens_at": rnd.opens_at - dt.timedelta(days=1)}, {"year": rnd.year - 1}):
        with pytest.raises(ValidationError) as exc:
            screening.round_update(actor=w.political, screening=rnd, **change)
        assert "只能修改名称、说明和截止时间" in str(exc.value)
    closes = rnd.closes_at + dt.timedelta(days=7)
    screening.round_update(actor=w.political, screening=rnd, title="延期的筛查", description="延长一周", closes_at=closes)
    rnd.refresh_from_db()
    assert rnd.title == "延期的筛查" and rnd.closes_at == closes and rnd.instruments == ["PHQ-9", "GAD-7"]
    assert set(Campaign.objects.filter(screening_link__round=rnd).values_list("closes_at", flat=True)) == {closes}
    with pytest.raises(ValidationError):
        screening.round_update(actor=w.political, screening=rnd, closes_at=rnd.opens_at)


def test_edit_and_delete_out_of_scope_refused(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.other_county)
    with pytest.raises(PermissionDenied):
        screening.round_update(actor=w.political, screening=rnd, title="x")
    with pytest.raises(PermissionDenied):
        screening.round_delete(actor=w.political, screening=rnd)
    mine = make_round(w.tree.county, actor=w.political)
    with pytest.raises(PermissionDenied):  # moving it outside one's own units
        screening.round_update(actor=w.political, screening=mine, unit=w.tree.other_county)


# --- delete --------------------------------------------------------------------------------


def test_delete_before_consent(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    campaigns = list(rnd.campaigns.values_list("campaign_id", flat=True))
    screening.round_delete(actor=w.political, screening=rnd)
    assert not ScreeningRound.objects.filter(pk=rnd.pk).exists()
    assert not Campaign.objects.filter(pk__in=campaigns).exists()
    assert not Invitation.objects.filter(campaign_id__in=campaigns).exists()
    assert AuditEntry.objects.filter(action="health.screening_round.delete", object_id=str(rnd.pk)).exists()


def test_delete_refused_after_consent_or_answers(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    screening.consent_give(actor=w.officer, screening=rnd)
    with pytest.raises(ValidationError, match="不能删除"):
        screening.round_delete(actor=w.political, screening=rnd)
    link = rnd.campaigns.get(instrument_code="PHQ-9")
    with django_capture_on_commit_callbacks(execute=True):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, "PHQ-9", PHQ9_SAFE))
    with pytest.raises(ValidationError, match="不能删除"):
        screening.round_delete(actor=w.political, screening=rnd)
    assert RoundCampaign.objects.filter(round=rnd).count() == 2


# --- screens -------------------------------------------------------------------------------


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_edit_and_delete_pages(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    client = login_client(w.political)
    url = reverse("health:round_edit", args=[rnd.pk])
    page = client.get(url).content.decode()
    assert "年度心理筛查" in page and 'name="instruments"' in page
    bad = client.post(url, {"title": "", "unit": w.tree.county.pk, "instruments": ["PHQ-9"],
                            "opens_at": _local(rnd.opens_at), "closes_at": _local(rnd.closes_at)})
    assert bad.status_code == 400 and "请填写名称" in bad.content.decode()
    ok = client.post(url, {"title": "改过的筛查", "description": "说明文字", "unit": w.tree.county.pk,
                           "year": rnd.year, "instruments": ["PHQ-9", "GAD-7"], "opens_at": _local(rnd.opens_at),
                           "closes_at": _local(rnd.closes_at + dt.timedelta(days=1))})
    assert ok.status_code == 302
    rnd.refresh_from_db()
    assert rnd.title == "改过的筛查" and rnd.description == "说明文字"
    detail = client.get(reverse("health:round_detail", args=[rnd.pk])).content.decode()
    assert "说明文字" in detail and reverse("health:round_edit", args=[rnd.pk]) in detail

    _consent_and_answer(w, rnd, django_capture_on_commit_callbacks)
    page = client.get(url).content.decode()
    assert "已有人同意或作答" in page
    locked = client.post(url, {"title": "再改", "description": "", "closes_at": _local(rnd.closes_at),
                               "instruments": ["PHQ-9"]})  # the locked fields are ignored, not applied
    assert locked.status_code == 302
    rnd.refresh_from_db()
    assert rnd.title == "再改" and rnd.instruments == ["PHQ-9", "GAD-7"]

    delete_url = reverse("health:round_delete", args=[rnd.pk])
    assert "不能删除" in client.get(delete_url).content.decode()
    refused = client.post(delete_url)
    assert refused.status_code == 400 and "不能删除" in refused.content.decode()
    assert ScreeningRound.objects.filter(pk=rnd.pk).exists()

    fresh = make_round(w.tree.county, actor=w.political)
    gone = client.post(reverse("health:round_delete", args=[fresh.pk]))
    assert gone.status_code == 302 and not ScreeningRound.objects.filter(pk=fresh.pk).exists()

    outside = make_round(w.tree.other_county)
    assert client.get(reverse("health:round_edit", args=[outside.pk])).status_code == 404
    assert client.post(reverse("health:round_delete", args=[outside.pk])).status_code == 404
    leader = login_client(make_user("leader_c", role=Role.LEADER, unit=w.tree.county))
    assert leader.get(reverse("health:round_edit", args=[fresh.pk])).status_code in (403, 404)


def test_api_edit_and_delete(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from jingying.surveys.tests.test_api import bearer

    headers = bearer(w.political)
    client = login_client(None)
    rnd = make_round(w.tree.county, actor=w.political)
    base = f"/api/v1/health/psych/rounds/{rnd.pk}"
    got = client.get(base, **headers)
    assert got.status_code == 200 and got.json()["started"] is False
    patched = client.patch(base, data=json.dumps({"title": "接口改名", "description": "接口说明"}),
                           content_type="application/json", **headers)
    assert patched.status_code == 200 and patched.json()["title"] == "接口改名"
    assert patched.json()["description"] == "接口说明"
    _consent_and_answer(w, rnd, django_capture_on_commit_callbacks)
    refused = client.patch(base, data=json.dumps({"instruments": ["PHQ-9"]}), content_type="application/json",
                           **headers)
    assert refused.status_code == 422 and "instruments" in refused.json()["errors"]
    gone = client.delete(base, **headers)
    assert gone.status_code == 409 and "不能删除" in gone.json()["detail"]
    fresh = make_round(w.tree.county, actor=w.political)
    assert client.delete(f"/api/v1/health/psych/rounds/{fresh.pk}", **headers).status_code == 204
    outside = make_round(w.tree.other_county)
    assert client.delete(f"/api/v1/health/psych/rounds/{outside.pk}", **headers).status_code == 404
    assert client.patch(f"/api/v1/health/psych/rounds/{outside.pk}", data="{}", content_type="application/json",
                        **headers).status_code == 404
