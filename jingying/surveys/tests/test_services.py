"""Services: versioning, import/export, campaigns, the one-response rule, instruments, reminders."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.org.choices import Category, PersonStatus
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.surveys import services, transfer
from jingying.surveys.choices import CampaignKind, QuestionKind, VersionStatus
from jingying.surveys.models import Campaign, Invitation, Question, Reminder, Response
from jingying.surveys.signals import instrument_scored
from jingying.surveys.tests.factories import good_answers, make_campaign, make_version, morale_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


# --- versioning ----------------------------------------------------------------------------


def test_published_version_is_frozen(tree: Tree) -> None:
    version = make_version(tree.region)
    question = version.questions.get(code="mood")
    with pytest.raises(ValidationError, match="已发布的版本不能修改"):
        services.question_update(actor=SYSTEM, question=question, text="改一下")
    with pytest.raises(ValidationError, match="已发布的版本不能修改"):
        services.question_create(actor=SYSTEM, version=version, code="x", kind="text", text="新题")
    with pytest.raises(ValidationError):
        services.question_delete(actor=SYSTEM, question=question)
    with pytest.raises(ValidationError):
        services.version_update(actor=SYSTEM, version=version, title="新标题")
    assert Question.objects.get(pk=question.pk).text == "您对当前工作状态的满意程度"


def test_revise_copies_into_a_draft_and_leaves_the_original(tree: Tree) -> None:
    version = make_version(tree.region)
    draft = services.version_revise(actor=SYSTEM, version=version)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert services.version_revise(actor=SYSTEM, version=version) == draft  # one draft at a time
    question = draft.questions.get(code="mood")
    services.question_update(actor=SYSTEM, question=question, text="改过的题目")
    assert version.questions.get(code="mood").text == "您对当前工作状态的满意程度"
    assert list(draft.questions.values_list("code", flat=True)) == list(version.questions.values_list("code", flat=True))


def test_publish_needs_a_question(tree: Tree) -> None:
    version = services.questionnaire_create(actor=SYSTEM, unit=tree.region, code="empty", title="空")
    with pytest.raises(ValidationError, match="至少要有一道题"):
        services.version_publish(actor=SYSTEM, version=version)


def test_show_if_must_look_back_and_moves_keep_it_so(tree: Tree) -> None:
    version = make_version(tree.region, publish=False)
    with pytest.raises(ValidationError, match="只能引用前面的题目"):
        services.question_create(actor=SYSTEM, version=version, code="z", kind="text", text="t",
                                 show_if={"question": "nope", "op": "answered"})
    why = version.questions.get(code="why")
    with pytest.raises(ValidationError, match="只能引用前面的题目"):
        services.question_move(actor=SYSTEM, question=why, offset=-1)  # above "stress", which it depends on
    hours = version.questions.get(code="hours")
    services.question_move(actor=SYSTEM, question=hours, offset=-1)
    assert list(version.questions.order_by("position").values_list("code", flat=True))[3:5] == ["hours", "why"]
    with pytest.raises(ValidationError, match="引用了本题"):
        services.question_delete(actor=SYSTEM, question=version.questions.get(code="stress"))
    services.question_delete(actor=SYSTEM, question=version.questions.get(code="words"))
    assert not version.questions.filter(code="words").exists()


def test_editing_needs_the_permission_over_the_owner(tree: Tree) -> None:
    version = make_version(tree.region, publish=False)
    county_pd = make_user("cpd", role=Role.POLITICAL, unit=tree.county)
    with pytest.raises(PermissionDenied):
        services.question_create(actor=county_pd, version=version, code="x", kind="text", text="t")
    with pytest.raises(PermissionDenied):
        services.questionnaire_create(actor=county_pd, unit=tree.city, code="c", title="t")


# --- import / export -----------------------------------------------------------------------


def test_json_round_trip(tree: Tree) -> None:
    version = make_version(tree.region)
    data = json.loads(json.dumps(transfer.export(version), ensure_ascii=False))
    assert data["format"] == "jingying-questionnaire" and data["sections"][0]["title"] == "工作状态"
    data["code"] = "morale-copy"
    copy = services.questionnaire_import(actor=SYSTEM, unit=tree.city, data=data, publish=True)
    fields = ["position", "code", "kind", "text", "help_text", "required", "options", "rows", "min_value",
              "max_value", "show_if"]
    assert list(copy.questions.order_by("position").values(*fields)) == \
        list(version.questions.order_by("position").values(*fields))
    again = transfer.export(copy)
    assert again["sections"] == data["sections"]


def test_import_of_an_existing_code_adds_a_version(tree: Tree) -> None:
    version = make_version(tree.region)
    data = transfer.export(version)
    data["title"] = "第二版"
    new = services.questionnaire_import(actor=SYSTEM, unit=tree.region, data=data)
    assert new.questionnaire_id == version.questionnaire_id and new.number == 2 and not new.frozen


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.update(format="other"), "不是警营问卷文件"),
    (lambda d: d.update(code="Bad Code"), "问卷代码"),
    (lambda d: d.update(sections=[]), "sections"),
    (lambda d: d["sections"][0]["questions"][0].update(kind="weird"), "不认识的题型"),
    (lambda d: d["sections"][0]["questions"][2].update(show_if={"question": "later", "op": "equals", "value": 1}),
     "只能引用前面的题目"),
    (lambda d: d["sections"][0]["questions"][0].update(options="a,b"), "对象列表"),
    (lambda d: d.update(instrument="XYZ"), "不认识的量表代码"),
])
def test_import_rejects_bad_files_and_writes_nothing(tree: Tree, mutate: Any, message: str) -> None:
    data = transfer.export(make_version(tree.region))
    data["code"] = "imported"
    mutate(data)
    with pytest.raises(ValidationError, match=message):
        services.questionnaire_import(actor=SYSTEM, unit=tree.region, data=data)
    assert not Question.objects.filter(version__questionnaire__code="imported").exists()


def test_import_refuses_another_units_code(tree: Tree) -> None:
    version = make_version(tree.region)
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    with pytest.raises(ValidationError, match="已被其他单位使用"):
        services.questionnaire_import(actor=pd, unit=tree.city, data=transfer.export(version))


# --- campaigns -----------------------------------------------------------------------------


def test_campaign_invites_everyone_serving_in_scope_of_the_categories(tree: Tree) -> None:
    police = PersonFactory.create_batch(3, unit=tree.station)
    aux = PersonFactory(unit=tree.county, category=Category.AUXILIARY, police_number=None)
    PersonFactory(unit=tree.station, status=PersonStatus.RETIRED)
    PersonFactory(unit=tree.other_station)
    campaign = make_campaign(tree.city, categories=[Category.POLICE])
    assert set(campaign.invitations.values_list("person_id", flat=True)) == {p.pk for p in police}
    everyone = make_campaign(tree.city, version=campaign.version, title="全体")
    assert everyone.invitations.count() == 4
    assert everyone.invitations.get(person=aux).unit_id == tree.county.pk
    assert AuditEntry.objects.filter(action="surveys.campaign.create").count() == 2


def test_campaign_rules(tree: Tree) -> None:
    version = make_version(tree.region)
    draft = make_version(tree.region, code="draft", publish=False)
    now = timezone.now()
    base = {"actor": SYSTEM, "unit": tree.city, "title": "t", "opens_at": now, "closes_at": now + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(version=draft, kind="secret", **base)
    assert set(exc.value.message_dict) == {"version", "kind"}
    with pytest.raises(ValidationError, match="不能低于 5"):
        services.campaign_create(version=version, kind=CampaignKind.ANONYMOUS, k_threshold=3, **base)
    with pytest.raises(ValidationError, match="须晚于开始时间"):
        services.campaign_create(version=version, kind=CampaignKind.ANONYMOUS,
                                 **{**base, "closes_at": now - dt.timedelta(days=1)})
    with pytest.raises(ValidationError, match="不认识的人员类别"):
        services.campaign_create(version=version, kind=CampaignKind.ANONYMOUS, categories=["x"], **base)
    with pytest.raises(PermissionDenied):
        services.campaign_create(version=version, kind=CampaignKind.ANONYMOUS,
                                 **{**base, "actor": make_user("cpd", role=Role.POLITICAL, unit=tree.county)})


@override_settings(JINGYING_K_ANONYMITY=8)
def test_k_is_configurable_upward_only(tree: Tree) -> None:
    campaign = make_campaign(tree.city)
    assert campaign.k_threshold == 8
    with pytest.raises(ValidationError, match="不能低于 8"):
        make_campaign(tree.city, version=campaign.version, k_threshold=6)
    with override_settings(JINGYING_K_ANONYMITY=2):
        assert services.k_min() == 5


def test_kind_cannot_change_after_creation(tree: Tree) -> None:
    campaign = make_campaign(tree.city)
    with pytest.raises(TypeError):
        services.campaign_update(actor=SYSTEM, campaign=campaign, kind=CampaignKind.IDENTIFIED)  # type: ignore[call-arg]
    later = campaign.closes_at + dt.timedelta(days=3)
    services.campaign_update(actor=SYSTEM, campaign=campaign, title="改名", closes_at=later)
    campaign.refresh_from_db()
    assert campaign.kind == CampaignKind.ANONYMOUS and campaign.title == "改名" and campaign.closes_at == later


def test_public_campaign_has_no_invitations(tree: Tree) -> None:
    PersonFactory.create_batch(2, unit=tree.station)
    campaign = make_campaign(tree.station, kind=CampaignKind.PUBLIC)
    assert campaign.invitations.count() == 0


# --- answering -----------------------------------------------------------------------------


def _officers(tree: Tree, n: int, unit: Any = None) -> list[Any]:
    people = PersonFactory.create_batch(n, unit=unit or tree.station)
    return [make_user(f"o{p.pk}", role=Role.OFFICER, unit=p.unit, person=p) for p in people]


def test_one_response_per_person(tree: Tree) -> None:
    [user] = _officers(tree, 1)
    campaign = make_campaign(tree.city)
    assert services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers()) is None
    with pytest.raises(services.AlreadyAnsweredError, match="每人只能提交一次"):
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    assert Invitation.objects.get(campaign=campaign).answered


def test_invalid_answers_change_nothing(tree: Tree) -> None:
    [user] = _officers(tree, 1)
    campaign = make_campaign(tree.city)
    with pytest.raises(ValidationError) as exc:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(why=[]))
    assert exc.value.message_dict == {"why": ["此题为必答题"]}
    assert not Invitation.objects.get(campaign=campaign).answered


def test_outside_the_window_or_not_invited(tree: Tree) -> None:
    from django.http import Http404

    [user] = _officers(tree, 1)
    now = timezone.now()
    later = make_campaign(tree.city, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="还没有开始"):
        services.response_submit(actor=user, campaign_id=later.pk, raw=good_answers())
    Campaign.objects.filter(pk=later.pk).update(opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="已经截止"):
        services.response_submit(actor=user, campaign_id=later.pk, raw=good_answers())
    elsewhere = make_campaign(tree.other_city, version=later.version)
    with pytest.raises(Http404):
        services.response_submit(actor=user, campaign_id=elsewhere.pk, raw=good_answers())
    with pytest.raises(PermissionDenied):
        services.response_submit(actor=make_user("noperson"), campaign_id=later.pk, raw=good_answers())


def test_identified_response_keeps_the_person_and_the_day(tree: Tree) -> None:
    [user] = _officers(tree, 1)
    campaign = make_campaign(tree.city, kind=CampaignKind.IDENTIFIED)
    response = services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(words="好"))
    assert response is not None and response.person_id == user.person_id
    assert response.submitted_on == timezone.localdate()
    assert Invitation.objects.get(campaign=campaign).answered_on == timezone.localdate()
    assert sorted(response.answers.filter(question__code="why").values_list("choice", flat=True)) == ["duty", "overtime"]


def test_anonymous_figures_wait_for_k(tree: Tree) -> None:
    users = _officers(tree, 5)
    campaign = make_campaign(tree.city)
    for user in users[:4]:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    assert Response.objects.count() == 0
    services.response_submit(actor=users[4], campaign_id=campaign.pk, raw=good_answers())
    assert Response.objects.count() == 5


def test_close_flushes_and_is_idempotent(tree: Tree) -> None:
    users = _officers(tree, 2)
    campaign = make_campaign(tree.city)
    for user in users:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.finalised and not campaign.is_open()
    assert Response.objects.filter(campaign=campaign).count() == 2


# --- reminders -----------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_answered(tree: Tree) -> None:
    from jingying.surveys.tasks import campaign_send_reminders

    users = _officers(tree, 3)
    campaign = make_campaign(tree.city)
    services.response_submit(actor=users[0], campaign_id=campaign.pk, raw=good_answers())
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    campaign_send_reminders.enqueue(campaign.pk, pd.pk)  # immediate backend in tests
    assert set(Reminder.objects.values_list("person_id", flat=True)) == {users[1].person_id, users[2].person_id}
    assert Invitation.objects.get(campaign=campaign, person_id=users[1].person_id).reminders == 1
    assert services.reminders_mark_read(actor=users[1]) == 1
    with pytest.raises(PermissionDenied):
        services.campaign_remind(actor=make_user("cpd", role=Role.POLITICAL, unit=tree.county), campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1),
                                                  opens_at=timezone.now() - dt.timedelta(days=2))
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="不在作答期内"):
        services.campaign_remind(actor=pd, campaign=campaign)


# --- instruments ---------------------------------------------------------------------------


def test_instruments_load_frozen_and_idempotent(tree: Tree) -> None:
    loaded = services.instruments_load(actor=SYSTEM, unit=tree.region)
    codes = {v.questionnaire.instrument_code for v in loaded}
    assert {"PHQ-9", "PHQ-8", "GAD-7", "WHO-5"} <= codes
    assert not {"ISI", "PSS-10", "PSQ-OP"} & codes  # no item texts shipped (licence)
    assert all(v.frozen for v in loaded)
    phq9 = next(v for v in loaded if v.questionnaire.instrument_code == "PHQ-9")
    assert phq9.questions.filter(kind=QuestionKind.RATING).count() == 9
    assert services.instruments_load(actor=SYSTEM, unit=tree.region) == []


def test_identified_instrument_response_is_scored_and_signalled(tree: Tree, django_capture_on_commit_callbacks: Any) -> None:
    [user] = _officers(tree, 1)
    services.instruments_load(actor=SYSTEM, unit=tree.region)
    from jingying.surveys.models import QuestionnaireVersion

    phq9 = QuestionnaireVersion.objects.get(questionnaire__instrument_code="PHQ-9")
    campaign = make_campaign(tree.city, version=phq9, kind=CampaignKind.IDENTIFIED, title="年度心理筛查")
    heard: list[Any] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    instrument_scored.connect(listener)
    try:
        answers = {f"i{n}": "2" for n in range(1, 9)} | {"i9": "1"}
        with pytest.raises(ValidationError):
            services.response_submit(actor=user, campaign_id=campaign.pk, raw={"i1": "2"})
        with django_capture_on_commit_callbacks(execute=True):
            response = services.response_submit(actor=user, campaign_id=campaign.pk, raw=answers)
    finally:
        instrument_scored.disconnect(listener)
    assert response.score["total"] == 17 and response.score["band"] == "moderately_severe"
    assert "safety_escalation" in response.score["flags"] and response.score["safety_priority"] == "urgent"
    assert len(heard) == 1 and heard[0]["person"].pk == user.person_id
    assert heard[0]["result"].safety_escalation


def test_phq9_cannot_be_anonymous_but_phq8_can(tree: Tree) -> None:
    from jingying.surveys.models import QuestionnaireVersion

    services.instruments_load(actor=SYSTEM, unit=tree.region)
    phq9 = QuestionnaireVersion.objects.get(questionnaire__instrument_code="PHQ-9")
    phq8 = QuestionnaireVersion.objects.get(questionnaire__instrument_code="PHQ-8")
    with pytest.raises(ValidationError, match="不能匿名使用"):
        make_campaign(tree.city, version=phq9)
    [user] = _officers(tree, 1)
    campaign = make_campaign(tree.city, version=phq8)
    services.response_submit(actor=user, campaign_id=campaign.pk, raw={f"i{n}": "1" for n in range(1, 9)})
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    stored = Response.objects.get(campaign=campaign)
    assert stored.score["total"] == 8 and stored.person_id is None


def test_load_instruments_command(tree: Tree) -> None:
    from django.core.management import call_command

    call_command("load_instruments")
    assert Question.objects.filter(version__questionnaire__instrument_code="GAD-7").count() == 7


def test_questions_of_the_morale_factory_are_all_kinds() -> None:
    kinds = {q["kind"] for q in morale_questions()}
    assert kinds == set(QuestionKind.values) - {QuestionKind.TEXT}
