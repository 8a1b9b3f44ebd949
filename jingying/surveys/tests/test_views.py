"""Screens: the generic suites for the campaign list and detail, plus the officer's answering
flow, the builder, campaign creation, results and the Excel export."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.core.testing import DetailViewTests, ListViewTests, Scope, assert_login_redirect, login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.surveys import services, transfer
from jingying.surveys.models import Campaign, Question, Questionnaire, QuestionnaireVersion, Reminder
from jingying.surveys.tests.factories import export_via_job, good_answers, make_campaign, make_version

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def campaign_scope() -> Scope:
    tree = Tree()
    version = make_version(tree.region)
    inside = make_campaign(tree.county, version=version, title="新城分局思想摸排")
    outside = make_campaign(tree.other_city, version=version, title="包头市局思想摸排")
    return Scope(inside=inside, outside=outside, user=make_user("pd", role=Role.POLITICAL, unit=tree.city),
                 nobody=make_user("nobody"), reader=make_user("leader", role=Role.LEADER, unit=tree.city),
                 extra={"tree": tree, "version": version})


class TestCampaignViews(ListViewTests, DetailViewTests):
    model = Campaign
    list_url = "surveys:campaign_list"
    # session, user, login security, grants, COUNT, the page (no session save on a repeat view).
    list_queries = 6
    detail_url = "surveys:campaign_detail"

    def build(self) -> Scope:
        return campaign_scope()

    def make_rows(self, scope: Scope, n: int) -> None:
        for i in range(n):
            make_campaign(scope.extra["tree"].station, version=scope.extra["version"], title=f"派出所调查{i}")

    def visible_rows(self, scope: Scope) -> int:
        return Campaign.objects.filter(unit__path__startswith=scope.extra["tree"].city.path).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="campaign-row"')


def _officers(unit: Any, n: int) -> list[Any]:
    return [make_user(f"o{p.pk}", role=Role.OFFICER, unit=unit, person=p) for p in PersonFactory.create_batch(n, unit=unit)]


def _form(answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for code, value in answers.items():
        if isinstance(value, dict):
            data.update({f"q_{code}__{row}": v for row, v in value.items()})
        else:
            data[f"q_{code}"] = value
    return data


@pytest.fixture
def setup() -> dict[str, Any]:
    tree = Tree()
    officers = _officers(tree.station, 6)
    campaign = make_campaign(tree.city)
    return {"tree": tree, "officers": officers, "campaign": campaign,
            "pd": make_user("pd", role=Role.POLITICAL, unit=tree.city)}


def test_officer_answers_once(setup: dict[str, Any]) -> None:
    campaign, officer = setup["campaign"], setup["officers"][0]
    client = login_client(officer)
    mine = client.get(reverse("surveys:mine"))
    assert mine.status_code == 200 and campaign.title in mine.content.decode()
    url = reverse("surveys:answer", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "这是一份匿名问卷" in page and "没有提交时间" in page
    assert re.search(r'data-show-if="\{[^"]*&quot;question&quot;: &quot;stress&quot;', page)
    bad = client.post(url, _form(good_answers(why=[], hours="500")))
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "此题为必答题" in body and "不能大于 100" in body
    assert 'value="500"' in body, "answers given so far are kept"
    ok = client.post(url, _form(good_answers()))
    assert ok.status_code == 302 and ok["Location"] == reverse("surveys:thanks", args=[campaign.pk])
    assert "感谢您填写" in client.get(ok["Location"]).content.decode()
    again = client.post(url, _form(good_answers()))
    assert again.status_code == 409
    assert "每人只能提交一次" in again.content.decode()
    assert "每人只能提交一次" in client.get(url).content.decode()


def test_answer_pages_are_private(setup: dict[str, Any]) -> None:
    campaign = setup["campaign"]
    url = reverse("surveys:answer", args=[campaign.pk])
    assert_login_redirect(login_client(None).get(url))
    stranger = make_user("s", role=Role.OFFICER, unit=setup["tree"].other_station,
                         person=PersonFactory(unit=setup["tree"].other_station))
    assert login_client(stranger).get(url).status_code == 404
    assert login_client(stranger).post(url, _form(good_answers())).status_code == 404
    assert login_client(setup["pd"]).get(url).status_code == 404  # not invited: has no person


def test_reminder_shows_on_my_surveys(setup: dict[str, Any]) -> None:
    client = login_client(setup["pd"])
    response = client.post(reverse("surveys:campaign_remind", args=[setup["campaign"].pk]))
    assert response.status_code == 302
    assert Reminder.objects.count() == 6
    page = login_client(setup["officers"][0]).get(reverse("surveys:mine")).content.decode()
    assert "提醒：请填写" in page
    assert not Reminder.objects.filter(person_id=setup["officers"][0].person_id, read=False).exists()
    leader = make_user("leader", role=Role.LEADER, unit=setup["tree"].city)
    assert login_client(leader).post(reverse("surveys:campaign_remind", args=[setup["campaign"].pk])).status_code == 404


def test_results_appear_from_five_and_export_has_no_raw_rows(setup: dict[str, Any]) -> None:
    campaign, pd = setup["campaign"], setup["pd"]
    client = login_client(pd)
    results_url = reverse("surveys:campaign_results", args=[campaign.pk])
    export_url = reverse("surveys:campaign_export", args=[campaign.pk])
    for officer in setup["officers"][:4]:
        services.response_submit(actor=officer, campaign_id=campaign.pk, raw=good_answers(words="秘密意见"))
    page = client.get(results_url).content.decode()
    assert "暂不显示结果" in page and 'id="results-n"' not in page
    refused = client.post(export_url)
    assert refused.status_code == 302  # back to the results page, with the reason as a message
    assert "results" in refused["Location"]
    services.response_submit(actor=setup["officers"][4], campaign_id=campaign.pk, raw=good_answers(words="秘密意见"))
    page = client.get(results_url).content.decode()
    assert re.search(r'id="results-n">5<', page)
    assert "秘密意见" not in page  # fewer than 10 wrote text
    response = export_via_job(client, campaign.pk)
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "您对当前工作状态的满意程度" in cells and "秘密意见" not in cells
    detail = client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "5 / 6 人已作答" in detail


def test_rates_fragment_for_a_child_unit(setup: dict[str, Any]) -> None:
    client = login_client(setup["pd"])
    url = reverse("surveys:campaign_detail", args=[setup["campaign"].pk])
    response = client.get(url, {"unit": setup["tree"].county.pk}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="card" id="rates">') and "海东路派出所" in body
    assert client.get(url, {"unit": setup["tree"].other_county.pk}).status_code == 404


def test_campaign_create_view(setup: dict[str, Any]) -> None:
    tree, pd = setup["tree"], setup["pd"]
    version = setup["campaign"].version
    client = login_client(pd)
    url = reverse("surveys:campaign_create")
    assert b"<form" in client.get(url, {"version": version.pk}).content
    data = {"title": "新一期", "version": version.pk, "unit": tree.county.pk, "categories": ["police"],
            "kind": "identified", "opens_at": "2026-01-01T08:00", "closes_at": "2030-01-01T08:00", "k_threshold": 5}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(title="新一期")
    assert campaign.kind == "identified" and campaign.invitations.count() == 6
    bad = client.post(url, {**data, "k_threshold": 2, "unit": tree.other_county.pk})
    assert bad.status_code == 400
    assert login_client(make_user("leader", role=Role.LEADER, unit=tree.city)).get(url).status_code == 403
    edit = reverse("surveys:campaign_edit", args=[campaign.pk])
    assert "不能更改" in client.get(edit).content.decode()
    assert client.post(edit, {"title": "改名", "closes_at": "2031-01-01T08:00", "intro": ""}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "改名" and campaign.kind == "identified"
    assert client.post(reverse("surveys:campaign_close", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.finalised


def test_builder_flow(setup: dict[str, Any]) -> None:
    tree = setup["tree"]
    pd = make_user("rpd", role=Role.POLITICAL, unit=tree.region)
    client = login_client(pd)
    response = client.post(reverse("surveys:questionnaire_create"),
                           {"unit": tree.region.pk, "code": "family-2026", "title": "家庭情况", "intro": ""})
    assert response.status_code == 302
    version = QuestionnaireVersion.objects.get(questionnaire__code="family-2026")
    add = reverse("surveys:question_create", args=[version.pk])
    assert "题型" in client.get(add, **HTMX).content.decode()
    assert client.post(add, {"kind": "single", "code": "kids", "text": "有子女吗", "required": "on",
                             "options": "y|有\nn|无"}).status_code == 302
    response = client.post(add, {"kind": "number", "code": "n", "text": "几个", "required": "on", "min_value": 1,
                                 "max_value": 9, "show_if_question": "kids", "show_if_op": "equals",
                                 "show_if_value": "y"}, **HTMX)
    assert response.status_code == 200 and 'id="questions"' in response.content.decode()
    assert client.post(add, {"kind": "single", "code": "bad", "text": "无选项"}).status_code == 400
    n = version.questions.get(code="n")
    assert n.show_if == {"question": "kids", "op": "equals", "value": "y"}
    assert client.post(reverse("surveys:question_move", args=[n.pk]), {"dir": "up"}).status_code == 302
    assert list(version.questions.order_by("position").values_list("code", flat=True)) == ["kids", "n"]
    edit = reverse("surveys:question_edit", args=[version.questions.get(code="kids").pk])
    assert "y|有" in client.get(edit).content.decode()
    assert client.post(edit, {"kind": "single", "code": "kids", "text": "是否有子女", "required": "on",
                              "options": "y|有\nn|无"}).status_code == 302
    assert client.post(reverse("surveys:version_publish", args=[version.pk])).status_code == 302
    version.refresh_from_db()
    assert version.frozen
    assert client.get(edit).status_code == 404 or client.post(edit, {"kind": "text", "code": "kids",
                                                                      "text": "x"}).status_code == 400
    exported = client.get(reverse("surveys:version_export", args=[version.pk]))
    data = json.loads(exported.content)
    assert data["sections"][0]["questions"][0]["text"] == "是否有子女"
    revise = client.post(reverse("surveys:version_revise", args=[version.pk]))
    assert revise.status_code == 302 and QuestionnaireVersion.objects.filter(questionnaire__code="family-2026").count() == 2
    data["code"] = "family-copy"
    upload = SimpleUploadedFile("q.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")
    imported = client.post(reverse("surveys:questionnaire_import"), {"unit": tree.region.pk, "file": upload})
    assert imported.status_code == 302
    assert Question.objects.filter(version__questionnaire__code="family-copy").count() == 2
    junk = SimpleUploadedFile("q.json", b"not json", "application/json")
    bad = client.post(reverse("surveys:questionnaire_import"), {"unit": tree.region.pk, "file": junk})
    assert bad.status_code == 400 and "不是有效的 JSON" in bad.content.decode()
    listing = client.get(reverse("surveys:questionnaire_list")).content.decode()
    assert "family-copy" in listing and "morale" in listing


def test_questionnaires_shared_down_but_edited_only_by_the_owner(setup: dict[str, Any]) -> None:
    tree = setup["tree"]
    version = make_version(tree.region, code="region-draft", publish=False)
    county_pd = make_user("cpd", role=Role.POLITICAL, unit=tree.county)
    client = login_client(county_pd)
    assert "region-draft" in client.get(reverse("surveys:questionnaire_list")).content.decode()
    assert client.get(reverse("surveys:version_detail", args=[version.pk])).status_code == 200
    assert client.get(reverse("surveys:question_create", args=[version.pk])).status_code == 404
    other = make_version(tree.other_city, code="baotou")
    assert client.get(reverse("surveys:version_detail", args=[other.pk])).status_code == 404
    assert login_client(setup["officers"][0]).get(reverse("surveys:questionnaire_list")).status_code == 403


def test_profile_panel_lists_my_pending_surveys(setup: dict[str, Any]) -> None:
    officer = setup["officers"][0]
    page = login_client(officer).get(reverse("org:person_detail", args=[officer.person_id])).content.decode()
    assert "待填写的问卷" in page and setup["campaign"].title in page


def test_my_surveys_needs_a_role_that_answers() -> None:
    tree = Tree()
    assert login_client(make_user("sys", role=Role.SYSADMIN, unit=tree.region)).get(reverse("surveys:mine")).status_code == 403
    assert login_client(make_user("pd", role=Role.POLITICAL, unit=tree.city)).get(reverse("surveys:mine")).status_code == 200


def test_anonymity_page() -> None:
    user = make_user("u")
    assert "系统不记录什么" in login_client(user).get(reverse("surveys:anonymity")).content.decode()


def test_campaign_list_filters(setup: dict[str, Any]) -> None:
    client = login_client(setup["pd"])
    url = reverse("surveys:campaign_list")
    assert setup["campaign"].title in client.get(url, {"state": "open", "kind": "anonymous"}).content.decode()
    assert setup["campaign"].title not in client.get(url, {"state": "closed"}).content.decode()
    assert setup["campaign"].title not in client.get(url, {"q": "不存在"}, **HTMX).content.decode()
    assert setup["campaign"].title not in client.get(url, {"state": "scheduled", "kind": "public"}).content.decode()


def test_export_of_questionnaire_matches_service(setup: dict[str, Any]) -> None:
    version = setup["campaign"].version
    response = login_client(setup["pd"]).get(reverse("surveys:version_export", args=[version.pk]))
    assert json.loads(response.content) == json.loads(json.dumps(transfer.export(version), ensure_ascii=False))
    assert Questionnaire.objects.filter(code="morale").exists()
    services.instruments_load(actor=SYSTEM, unit=setup["tree"].region)


def _count_queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# session, user, login security, grants, COUNT, the page, the import form's unit picker (the
# session is saved at most once a minute, so not on these repeated views).
QUESTIONNAIRE_LIST_QUERIES = 7
# session, user, login security, grants, invitations, reminders.
MY_SURVEYS_QUERIES = 6


def test_questionnaire_list_query_count_is_pinned() -> None:
    tree = Tree()
    client = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    url = reverse("surveys:questionnaire_list") + "?per_page=100"
    client.get(url)
    counts = []
    for total in (10, 100):
        for n in range(total - Questionnaire.objects.count()):
            services.questionnaire_create(actor=SYSTEM, unit=tree.region, code=f"q-{total}-{n}", title="t")
        counts.append(_count_queries(client, url))
    assert counts == [QUESTIONNAIRE_LIST_QUERIES] * 2


def test_my_surveys_query_count_is_pinned() -> None:
    tree = Tree()
    [officer] = _officers(tree.station, 1)
    version = make_version(tree.region)
    client = login_client(officer)
    url = reverse("surveys:mine")
    client.get(url)
    counts = []
    for total in (10, 40):
        for n in range(total - Campaign.objects.count()):
            make_campaign(tree.station, version=version, title=f"调查{total}-{n}")
        counts.append(_count_queries(client, url))
    assert counts == [MY_SURVEYS_QUERIES] * 2


def test_safety_item_shows_crisis_resources_after_an_identified_screening() -> None:
    tree = Tree()
    [officer] = _officers(tree.station, 1)
    services.instruments_load(actor=SYSTEM, unit=tree.region)
    phq9 = QuestionnaireVersion.objects.get(questionnaire__instrument_code="PHQ-9")
    campaign = make_campaign(tree.city, version=phq9, kind="identified", title="年度心理筛查")
    client = login_client(officer)
    data = {f"q_i{n}": "0" for n in range(1, 9)} | {"q_i9": "2"}
    response = client.post(reverse("surveys:answer", args=[campaign.pk]), data, follow=True)
    body = response.content.decode()
    assert 'id="safety-resources"' in body and "12356" in body
    assert "这是一份实名问卷" not in body


def test_rating_without_options_gets_a_likert_scale() -> None:
    tree = Tree()
    version = make_version(tree.region, publish=False, questions=[])
    client = login_client(make_user("rpd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("surveys:question_create", args=[version.pk]),
                           {"kind": "rating", "code": "agree", "text": "我愿意长期从事公安工作", "required": "on"})
    assert response.status_code == 302
    assert [o["label"] for o in version.questions.get(code="agree").options][::4] == ["非常不同意", "非常同意"]


def test_builder_edges() -> None:
    tree = Tree()
    client = login_client(make_user("rpd", role=Role.POLITICAL, unit=tree.region))
    version = make_version(tree.region, publish=False)
    latest = client.get(reverse("surveys:questionnaire_latest", args=[version.questionnaire_id]))
    assert latest.status_code == 302 and latest["Location"] == reverse("surveys:version_detail", args=[version.pk])
    edit = reverse("surveys:version_edit", args=[version.pk])
    assert b"<form" in client.get(edit).content
    assert client.post(edit, {"title": "新标题", "intro": "说明"}).status_code == 302
    assert client.post(edit, {"title": ""}).status_code == 400
    stress = version.questions.get(code="stress")
    refused = client.post(reverse("surveys:question_delete", args=[stress.pk]), follow=True)
    assert "引用了本题" in refused.content.decode()
    why = version.questions.get(code="why")
    moved = client.post(reverse("surveys:question_move", args=[why.pk]), {"dir": "up"}, follow=True)
    assert "只能引用前面的题目" in moved.content.decode()
    words = version.questions.get(code="words")
    assert client.post(reverse("surveys:question_delete", args=[words.pk]), **HTMX).status_code == 200
    assert not version.questions.filter(code="words").exists()
    empty = services.questionnaire_create(actor=SYSTEM, unit=tree.region, code="empty", title="空")
    failed = client.post(reverse("surveys:version_publish", args=[empty.pk]), follow=True)
    assert "至少要有一道题" in failed.content.decode()


def test_leader_drills_into_results_of_own_unit_only(setup: dict[str, Any]) -> None:
    tree, campaign = setup["tree"], setup["campaign"]
    for officer in setup["officers"][:5]:
        services.response_submit(actor=officer, campaign_id=campaign.pk, raw=good_answers())
    leader = login_client(make_user("leader", role=Role.LEADER, unit=tree.county))
    url = reverse("surveys:campaign_results", args=[campaign.pk])
    page = leader.get(url).content.decode()  # starts at the county, the top the leader sees
    assert "新城区分局" in page and re.search(r'id="results-n">5<', page)
    assert leader.get(url, {"unit": tree.station.pk}).status_code == 200
    assert leader.get(url, {"unit": tree.city.pk}).status_code == 404
    assert export_via_job(leader, campaign.pk, tree.station.pk).status_code == 200
    closed = make_campaign(tree.city, version=campaign.version, title="已截止")
    Campaign.objects.filter(pk=closed.pk).update(opens_at=closed.opens_at.replace(year=2020),
                                                 closes_at=closed.closes_at.replace(year=2020))
    pd = login_client(setup["pd"])
    assert pd.get(reverse("surveys:campaign_results", args=[closed.pk])).status_code == 200
    closed.refresh_from_db()
    assert closed.finalised
    answer = login_client(setup["officers"][5]).get(reverse("surveys:answer", args=[closed.pk]))
    assert "不在填写时间内" in answer.content.decode()
