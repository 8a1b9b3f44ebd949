"""Public evaluation by QR code (issue 4 point 5): the form without an account, idempotent
submissions, one per device per day, the rate limit, spam held for review, the poster, the
results with n, and the public API."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.audit import AuditEntry
from jingying.core.testing import login_client
from jingying.org.tests.factories import Tree, make_user
from jingying.surveys import public
from jingying.surveys.choices import CampaignKind, QuestionKind
from jingying.surveys.models import Answer, Campaign, PublicSubmission, PublicThrottle, Response
from jingying.surveys.tests.factories import SCALE, make_campaign, make_version

pytestmark = pytest.mark.django_db


def public_questions() -> list[dict[str, Any]]:
    return [
        {"code": "overall", "kind": QuestionKind.RATING, "text": "您对我们工作的总体评价", "options": SCALE},
        {"code": "what", "kind": QuestionKind.SINGLE, "text": "您今天办理的事项",
         "options": [{"value": "id", "label": "户籍证件"}, {"value": "case", "label": "报警求助"}]},
        {"code": "words", "kind": QuestionKind.TEXTAREA, "text": "意见和建议", "required": False},
    ]


@pytest.fixture(autouse=True)
def _no_speed_check(settings: Any) -> None:
    settings.JINGYING_PUBLIC_MIN_SECONDS = 0
    settings.JINGYING_PUBLIC_RATE_LIMIT = "30/600"
    settings.JINGYING_PUBLIC_BURST = "5/300"
    settings.JINGYING_PUBLIC_CACHE_SECONDS = 0


@pytest.fixture
def world() -> dict[str, Any]:
    tree = Tree()
    version = make_version(tree.county, code="pub", questions=public_questions())
    campaign = make_campaign(tree.station, version=version, kind=CampaignKind.PUBLIC, title="派出所群众评价")
    link = public.public_link_ensure(campaign=campaign)
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    return {"tree": tree, "campaign": campaign, "token": link.token, "pd": pd}


def form_url(w: dict[str, Any]) -> str:
    return reverse("public:form", args=[w["token"]])


def open_form(client: Client, w: dict[str, Any]) -> dict[str, str]:
    """GET the form as a phone would; the hidden fields it carries."""
    response = client.get(form_url(w))
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    stamp = re.search(r'name="rendered" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return {"submission_key": key, "rendered": stamp}


def answers(overall: str = "5", what: str = "id", words: str = "") -> dict[str, str]:
    return {"q_overall": overall, "q_what": what, "q_words": words}


def test_form_works_without_login_with_csrf_and_thanks(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(form_url(world))
    html = response.content.decode()
    assert response.status_code == 200 and "请您评价我们的工作" in html and world["tree"].station.name in html
    assert public.DEVICE_COOKIE in response.cookies and response.cookies[public.DEVICE_COOKIE]["httponly"]
    fields = open_form(client, world)
    # Without the CSRF token the POST is refused, as everywhere else.
    assert client.post(form_url(world), {**fields, **answers()}).status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(form_url(world), {**fields, **answers(), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    assert Response.objects.filter(campaign=world["campaign"]).count() == 1


def test_other_pages_still_require_login(world: dict[str, Any]) -> None:
    client = Client()
    for url in (reverse("surveys:campaign_list"), reverse("surveys:public_poster", args=[world["campaign"].pk]),
                reverse("surveys:public_held", args=[world["campaign"].pk]), reverse("surveys:mine")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url


def test_validation_errors_in_chinese_and_nothing_stored(world: dict[str, Any]) -> None:
    client = Client()
    fields = open_form(client, world)
    response = client.post(form_url(world), {**fields, "q_what": "id"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "还有题目没有答好" in html and "此题为必答题" in html
    assert fields["submission_key"] in html  # the same key is kept for the corrected submit
    assert fields["rendered"] in html  # and the first render time
    assert not PublicSubmission.objects.exists() and not Response.objects.exists()


def test_unknown_token_is_404(world: dict[str, Any]) -> None:
    assert Client().get(reverse("public:form", args=["nope-nope-nope"])).status_code == 404


def test_a_retried_post_never_counts_twice(world: dict[str, Any]) -> None:
    client = Client()
    fields = open_form(client, world)
    first = client.post(form_url(world), {**fields, **answers()})
    again = client.post(form_url(world), {**fields, **answers(overall="1")})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content  # the same thank-you
    assert PublicSubmission.objects.count() == 1
    assert Response.objects.filter(campaign=world["campaign"]).count() == 1
    assert Answer.objects.get(question__code="overall").choice == "5"


def test_one_answer_per_device_per_day(world: dict[str, Any]) -> None:
    phone = Client()
    client_fields = open_form(phone, world)
    assert phone.post(form_url(world), {**client_fields, **answers()}).status_code == 200
    second = phone.post(form_url(world), {**open_form(phone, world), **answers(overall="4")})
    assert second.status_code == 409 and "今天已经评价过" in second.content.decode()
    other_phone = Client()
    assert other_phone.post(form_url(world), {**open_form(other_phone, world), **answers(overall="4")}).status_code == 200
    assert Response.objects.filter(campaign=world["campaign"]).count() == 2
    # The device is kept only as a keyed hash with the day: a new day, a new hash.
    sub = PublicSubmission.objects.first()
    assert sub is not None and phone.cookies[public.DEVICE_COOKIE].value not in sub.device
    assert len(sub.device) == 64
    # The next day the same phone may answer again.
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with mock.patch("jingying.surveys.public.timezone.now", return_value=tomorrow):
        result = public.public_submit(campaign=world["campaign"], raw={"overall": "4", "what": "id"},
                                      key="next-day-key", device=phone.cookies[public.DEVICE_COOKIE].value,
                                      stamp=public.render_stamp(world["campaign"]))
    assert not result.replay and result.submission.status == "accepted"
    assert result.submission.device != sub.device


def test_post_without_device_cookie_is_refused_in_chinese(world: dict[str, Any]) -> None:
    client = Client()
    fields = open_form(client, world)
    del client.cookies[public.DEVICE_COOKIE]
    response = client.post(form_url(world), {**fields, **answers()})
    assert response.status_code == 400 and "Cookie" in response.content.decode()
    assert not Response.objects.exists()


def test_rate_limit_answers_429_per_address(world: dict[str, Any], settings: Any) -> None:
    settings.JINGYING_PUBLIC_RATE_LIMIT = "3/600"
    statuses = []
    for _i in range(4):
        phone = Client()
        statuses.append(phone.post(form_url(world), {**open_form(phone, world), **answers(words=f"第{_i}次")},
                                   REMOTE_ADDR="10.1.1.1").status_code)
    assert statuses == [200, 200, 200, 429]
    phone = Client()
    refused = phone.post(form_url(world), {**open_form(phone, world), **answers()}, REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    phone = Client()
    assert phone.post(form_url(world), {**open_form(phone, world), **answers()},
                      REMOTE_ADDR="10.1.1.2").status_code == 200
    # The address itself is stored nowhere.
    assert not PublicThrottle.objects.filter(key__contains="10.1.1").exists()
    assert Response.objects.count() == 4


def test_no_person_user_or_address_stored_with_a_public_response(world: dict[str, Any]) -> None:
    phone = Client()
    phone.post(form_url(world), {**open_form(phone, world), **answers(words="窗口办事快")}, REMOTE_ADDR="10.9.8.7")
    response = Response.objects.get(campaign=world["campaign"])
    assert response.person_id is None and response.unit_id == world["tree"].station.pk
    assert response.submitted_on is not None and response.category == "" and response.age_band == ""
    row = Response.objects.filter(pk=response.pk).values().get()
    assert "10.9.8.7" not in json.dumps(row, default=str)
    sub = PublicSubmission.objects.values().get()
    assert "10.9.8.7" not in json.dumps(sub, default=str) and sub["payload"] is None
    assert str(response.pk) not in json.dumps(sub, default=str)
    assert not AuditEntry.objects.filter(action__startswith="surveys.public").exists()


def test_impossible_speed_is_held_not_dropped_then_released(world: dict[str, Any], settings: Any) -> None:
    settings.JINGYING_PUBLIC_MIN_SECONDS = 3
    phone = Client()
    response = phone.post(form_url(world), {**open_form(phone, world), **answers()})
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()  # the bot is not told
    sub = PublicSubmission.objects.get()
    assert sub.status == "held" and sub.reason == "speed" and sub.payload
    assert not Response.objects.exists()
    # A forged stamp is no better than a fast one.
    phone2 = Client()
    phone2.post(form_url(world), {**open_form(phone2, world), "rendered": "forged", **answers()})
    assert PublicSubmission.objects.filter(status="held").count() == 2

    staff = login_client(world["pd"])
    results = staff.get(reverse("surveys:campaign_results", args=[world["campaign"].pk])).content.decode()
    assert "待审核（2）" in results and "暂未计入结果" in results
    page = staff.get(reverse("surveys:public_held", args=[world["campaign"].pk]))
    assert page.status_code == 200 and "填写过快" in page.content.decode() and "很满意" in page.content.decode()
    done = staff.post(reverse("surveys:public_held_review", args=[world["campaign"].pk]),
                      {"action": "release", "ids": [str(sub.pk)]})
    assert done.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "released" and sub.payload is None
    assert Response.objects.filter(campaign=world["campaign"]).count() == 1
    assert Answer.objects.filter(question__code="overall", choice="5").count() == 1
    staff.post(reverse("surveys:public_held_review", args=[world["campaign"].pk]), {"action": "reject"})
    assert PublicSubmission.objects.filter(status="rejected").count() == 1
    assert Response.objects.count() == 1
    actions = list(AuditEntry.objects.filter(action__startswith="surveys.public").values_list("action", flat=True))
    assert sorted(actions) == ["surveys.public.reject", "surveys.public.release"]


def test_identical_burst_is_held(world: dict[str, Any], settings: Any) -> None:
    settings.JINGYING_PUBLIC_BURST = "3/300"
    statuses = []
    for _i in range(5):
        phone = Client()
        statuses.append(phone.post(form_url(world), {**open_form(phone, world), **answers()}).status_code)
    assert statuses == [200] * 5
    assert list(PublicSubmission.objects.order_by("at").values_list("status", flat=True)) == \
        ["accepted"] * 3 + ["held"] * 2
    assert PublicSubmission.objects.filter(reason="burst").count() == 2
    # Different answers in the same minutes are fine.
    phone = Client()
    phone.post(form_url(world), {**open_form(phone, world), **answers(overall="3")})
    assert PublicSubmission.objects.filter(status="accepted").count() == 4
    assert Response.objects.count() == 4


def test_review_needs_manage_permission_in_scope(world: dict[str, Any]) -> None:
    leader = login_client(make_user("leader", role=Role.LEADER, unit=world["tree"].city))
    url = reverse("surveys:public_held_review", args=[world["campaign"].pk])
    assert leader.post(url, {"action": "release"}).status_code in (403, 404)
    outsider = login_client(make_user("pd2", role=Role.POLITICAL, unit=world["tree"].other_city))
    assert outsider.get(reverse("surveys:public_held", args=[world["campaign"].pk])).status_code == 404


def test_poster_renders_an_inline_svg_qr_code(world: dict[str, Any]) -> None:
    staff = login_client(world["pd"])
    response = staff.get(reverse("surveys:public_poster", args=[world["campaign"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "请您评价我们的工作" in html and world["tree"].station.name in html
    assert f"/p/{world['token']}/" in html and "@page" not in html  # print CSS lives in a static file
    assert "<script>" not in html and "poster.js" in html
    detail = staff.get(reverse("surveys:campaign_detail", args=[world["campaign"].pk])).content.decode()
    assert reverse("surveys:public_poster", args=[world["campaign"].pk]) in detail
    # Not a public campaign: no poster.
    other = make_campaign(world["tree"].county, version=world["campaign"].version)
    assert staff.get(reverse("surveys:public_poster", args=[other.pk])).status_code == 404


def test_campaign_created_on_screen_gets_a_token(world: dict[str, Any]) -> None:
    staff = login_client(world["pd"])
    now = timezone.localtime()
    response = staff.post(reverse("surveys:campaign_create"), {
        "title": "办证窗口评价", "version": world["campaign"].version_id, "unit": world["tree"].station.pk,
        "kind": "public", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "k_threshold": 5})
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(title="办证窗口评价")
    assert len(campaign.public_link.token) >= 20


def test_results_show_n_beside_every_figure(world: dict[str, Any]) -> None:
    for i in range(6):
        phone = Client()
        phone.post(form_url(world), {**open_form(phone, world), **answers(overall=str(1 + i % 5), what="case")})
    staff = login_client(world["pd"])
    html = staff.get(reverse("surveys:campaign_results", args=[world["campaign"].pk])).content.decode()
    assert 'id="results-n">6<' in html
    assert "6 人作答" in html
    assert "2（33%）" in html  # 很不满意: 2 of 6, the count beside the percentage
    assert "6（100%）" in html


# --- API ---------------------------------------------------------------------------------


def test_api_schema_and_idempotent_submit(world: dict[str, Any]) -> None:
    client = Client()
    form = client.get(f"/api/v1/public/{world['token']}")
    assert form.status_code == 200
    data = form.json()
    assert data["unit"] == world["tree"].station.name and [q["code"] for q in data["questions"]] == \
        ["overall", "what", "words"]
    body = {"key": "k" * 20, "answers": {"overall": "4", "what": "id"}, "stamp": data["stamp"], "device": "d" * 30}
    url = f"/api/v1/public/{world['token']}/responses"
    first = client.post(url, json.dumps(body), content_type="application/json")
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert Response.objects.count() == 1 and PublicSubmission.objects.count() == 1
    same_device = client.post(url, json.dumps({**body, "key": "x" * 20}), content_type="application/json")
    assert same_device.status_code == 409
    bad = client.post(url, json.dumps({**body, "key": "y" * 20, "device": "e" * 30, "answers": {}}),
                      content_type="application/json")
    assert bad.status_code == 422 and "overall" in bad.json()["errors"]
    assert client.get("/api/v1/public/nothing-here").status_code == 404


def test_api_rate_limit_429(world: dict[str, Any], settings: Any) -> None:
    settings.JINGYING_PUBLIC_RATE_LIMIT = "1/600"
    url = f"/api/v1/public/{world['token']}/responses"
    body = {"key": "a" * 20, "answers": {"overall": "4", "what": "id"}, "device": "d" * 30}
    assert Client().post(url, json.dumps(body), content_type="application/json").status_code == 201
    refused = Client().post(url, json.dumps({**body, "key": "b" * 20, "device": "f" * 30}),
                            content_type="application/json")
    assert refused.status_code == 429 and "频繁" in refused.json()["detail"]


def test_form_cache_reuses_the_campaign_for_a_few_seconds(world: dict[str, Any], settings: Any,
                                                          django_assert_num_queries: Any) -> None:
    settings.JINGYING_PUBLIC_CACHE_SECONDS = 60
    public._FORMS.clear()
    campaign, questions = public.public_form(world["token"])
    with django_assert_num_queries(0):
        again, same = public.public_form(world["token"])
    assert again is campaign and same is questions and [q.code for q in same] == ["overall", "what", "words"]
    settings.JINGYING_PUBLIC_CACHE_SECONDS = 0
    with django_assert_num_queries(2):
        public.public_form(world["token"])


def test_throttle_window_restarts(world: dict[str, Any], settings: Any) -> None:
    settings.JINGYING_PUBLIC_RATE_LIMIT = "2/60"
    assert [public.throttle_hit(address="10.0.0.9") for _i in range(3)] == [True, True, False]
    later = timezone.now() + dt.timedelta(seconds=61)
    with mock.patch("jingying.surveys.public.timezone.now", return_value=later):
        assert public.throttle_hit(address="10.0.0.9") is True
        assert public.throttle_hit(address="10.0.0.9") is True
        assert public.throttle_hit(address="10.0.0.9") is False
    assert PublicThrottle.objects.count() == 1
