import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jingying.accounts.roles import ROLE_SPECS, Role, RoleSpec
from jingying.care.choices import OfferAnswer, RightsStatus
from jingying.care.models.rights import RightsCase, RightsCaseOfficer, RightsEvidence
from jingying.care.selectors import rights as selectors
from jingying.care.services import rights as services
from jingying.care.services.support_common import EVIDENCE_MAX_BYTES
from jingying.care.tests.factories_support import make_case, today
from jingying.core.models import AuditEntry, Notification
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def tree():
    return Tree()


@pytest.fixture
def political(tree):
    return make_user("pd", role=Role.POLITICAL, unit=tree.county)


@pytest.fixture
def counsellor_role(monkeypatch):
    # health.counsel belongs to the psych helper's section; give it to counsellors for these tests.
    spec = ROLE_SPECS[Role.COUNSELLOR]
    monkeypatch.setitem(ROLE_SPECS, Role.COUNSELLOR,
                        RoleSpec(permissions=spec.permissions | {"health.counsel"}, self_permissions=spec.self_permissions))


def test_register_offers_support_and_notifies_officer_and_counsellors(tree, political, counsellor_role):
    officer = PersonFactory(unit=tree.station, name="王刚")
    officer_user = make_user("wg", role=Role.OFFICER, unit=tree.station, person=officer)
    counsellor = make_user("psy", role=Role.COUNSELLOR, unit=tree.city, domains=["psych"])
    no_domain = make_user("psy2", role=Role.COUNSELLOR, unit=tree.city)
    case = services.rights_case_create(actor=political, unit=tree.county, officers=[officer], incident_kind="assault",
                                       incident_date=today(), place="海东路", description="被推搡")
    victim = case.victims.get()
    assert victim.offer_at is not None and victim.offer_answer == OfferAnswer.PENDING
    mine = Notification.objects.get(user=officer_user)
    assert mine.url == "/health/counselling/"
    assert Notification.objects.filter(user=counsellor, title__contains="王刚").exists()
    assert not Notification.objects.filter(user=no_domain).exists()
    assert AuditEntry.objects.filter(action="care.rights.create").exists()


def test_register_validates(tree, political):
    with pytest.raises(ValidationError) as exc:
        services.rights_case_create(actor=political, unit=tree.county, officers=[], incident_kind="assault",
                                    incident_date=today() + dt.timedelta(days=1), place="", description="x")
    assert {"officers"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.rights_case_create(actor=political, unit=tree.county, officers=[PersonFactory(unit=tree.station)],
                                    incident_kind="assault", incident_date=today() + dt.timedelta(days=1), place="",
                                    description="x")
    assert {"incident_date", "place"} <= set(exc.value.message_dict)
    outsider = PersonFactory(unit=tree.other_station)
    with pytest.raises(ValidationError):
        services.rights_case_create(actor=political, unit=tree.county, officers=[outsider], incident_kind="assault",
                                    incident_date=today(), place="x", description="x")
    with pytest.raises(PermissionDenied):
        services.rights_case_create(actor=political, unit=tree.other_county, officers=[outsider],
                                    incident_kind="assault", incident_date=today(), place="x", description="x")
    assert not RightsCase.objects.exists()


def test_workflow_forward_only_and_close_needs_outcome(tree, political):
    case = make_case(tree.station)
    services.rights_case_advance(actor=political, case=case, status=RightsStatus.INVESTIGATING)
    with pytest.raises(ValidationError):
        services.rights_case_advance(actor=political, case=case, status=RightsStatus.REGISTERED)
    with pytest.raises(ValidationError):
        services.rights_case_advance(actor=political, case=case, status="bogus")
    with pytest.raises(ValidationError) as exc:
        services.rights_case_advance(actor=political, case=case, status=RightsStatus.CLOSED)
    assert "outcome" in exc.value.message_dict
    services.rights_case_advance(actor=political, case=case, status=RightsStatus.CLOSED, outcome="行为人被行政拘留")
    case.refresh_from_db()
    assert case.closed_on == today() and case.outcome == "行为人被行政拘留"
    with pytest.raises(ValidationError):
        services.rights_action_add(actor=political, case=case, kind="legal_aid", date=today(), handled_by="法制科")


def test_action_moves_case_to_actions(tree, political):
    case = make_case(tree.station)
    action = services.rights_action_add(actor=political, case=case, kind="clarification", date=today(),
                                        handled_by="宣传科 李明", result="发布警情通报澄清事实")
    case.refresh_from_db()
    assert case.status == RightsStatus.ACTIONS
    with pytest.raises(ValidationError):
        services.rights_action_add(actor=political, case=case, kind="legal_aid",
                                   date=case.incident_date - dt.timedelta(days=1), handled_by="法制科")
    services.rights_action_delete(actor=political, action=action)
    assert not case.actions.exists()


def test_update_adds_officer_with_offer(tree, political):
    first = PersonFactory(unit=tree.station)
    case = make_case(tree.station, [first])
    second = PersonFactory(unit=tree.station)
    user2 = make_user("p2", role=Role.OFFICER, unit=tree.station, person=second)
    services.rights_case_update(actor=political, case=case, officers=[second], place="新地点")
    assert list(case.victims.values_list("person_id", flat=True)) == [second.pk]
    assert case.victims.get().offer_at is not None
    assert Notification.objects.filter(user=user2).exists()
    with pytest.raises(ValueError, match="unknown"):
        services.rights_case_update(actor=political, case=case, status="closed")


def test_offer_answer_by_officer_only_for_self(tree, political, counsellor_role):
    officer = PersonFactory(unit=tree.station)
    user = make_user("o1", role=Role.OFFICER, unit=tree.station, person=officer)
    other = make_user("o2", role=Role.OFFICER, unit=tree.station, person=PersonFactory(unit=tree.station))
    counsellor = make_user("psy", role=Role.COUNSELLOR, unit=tree.region, domains=["psych"])
    case = make_case(tree.station, [officer])
    victim = case.victims.get()
    with pytest.raises(PermissionDenied):
        services.rights_offer_answer(actor=other, victim=victim, answer=OfferAnswer.ACCEPTED)
    with pytest.raises(ValidationError):
        services.rights_offer_answer(actor=user, victim=victim, answer="maybe")
    services.rights_offer_answer(actor=user, victim=victim, answer=OfferAnswer.ACCEPTED)
    victim.refresh_from_db()
    assert victim.offer_answer == OfferAnswer.ACCEPTED and victim.offer_answered_at
    assert Notification.objects.filter(user=counsellor, urgent=True).exists()
    services.rights_offer_answer(actor=political, victim=victim, answer=OfferAnswer.NO_ANSWER)


def test_evidence_checks_type_and_size_and_deletes_file(tree, political, django_capture_on_commit_callbacks):
    case = make_case(tree.station)
    with pytest.raises(ValidationError) as exc:
        services.rights_evidence_add(actor=political, case=case, upload=SimpleUploadedFile("a.jpg", PNG))
    assert "不符" in str(exc.value)
    with pytest.raises(ValidationError):
        services.rights_evidence_add(actor=political, case=case, upload=SimpleUploadedFile("a.exe", b"MZ" + b"0" * 10))
    with pytest.raises(ValidationError):
        services.rights_evidence_add(actor=political, case=case, upload=SimpleUploadedFile("a.png", b""))
    big = SimpleUploadedFile("big.png", PNG)
    big.size = EVIDENCE_MAX_BYTES + 1
    with pytest.raises(ValidationError):
        services.rights_evidence_add(actor=political, case=case, upload=big)
    evidence = services.rights_evidence_add(actor=political, case=case, upload=SimpleUploadedFile("现场照片.png", PNG),
                                            description="现场")
    assert evidence.file_name == "现场照片.png" and evidence.content_type == "image/png"
    assert evidence.file.storage.exists(evidence.file.name)
    name, storage = evidence.file.name, evidence.file.storage
    with pytest.raises(PermissionDenied):
        services.rights_evidence_add(actor=make_user("x"), case=case, upload=SimpleUploadedFile("b.png", PNG))
    with django_capture_on_commit_callbacks(execute=True):
        services.rights_evidence_delete(actor=political, evidence=evidence)
    assert not RightsEvidence.objects.exists()
    assert not storage.exists(name)


def test_delete_case(tree, political):
    case = make_case(tree.station)
    services.rights_case_delete(actor=political, case=case)
    assert not RightsCase.objects.exists() and not RightsCaseOfficer.objects.exists()


def test_scope_county_sees_own_officer_sees_own(tree):
    mine = PersonFactory(unit=tree.station)
    case_in = make_case(tree.station, [mine], place="甲地")
    case_other = make_case(tree.station, place="乙地")
    case_out = make_case(tree.other_station, place="丙地")
    leader = make_user("ld", role=Role.LEADER, unit=tree.county)
    officer = make_user("of", role=Role.OFFICER, unit=tree.station, person=mine)
    assert set(selectors.rights_case_list(actor=leader)[0]) == {case_in, case_other}
    assert list(selectors.rights_case_list(actor=officer)[0]) == [case_in]
    assert selectors.access_rights_case(officer, case_in.pk) == case_in
    from django.http import Http404

    for actor, pk in [(leader, case_out.pk), (officer, case_other.pk), (officer, "x")]:
        with pytest.raises(Http404):
            selectors.access_rights_case(actor, pk)
    assert list(selectors.rights_case_list(actor=leader, filters={"q": "乙"})[0]) == [case_other]
    assert list(selectors.rights_case_list(actor=leader, filters={"unit": tree.other_county.code})[0]) == []
    assert list(selectors.rights_case_list(actor=leader, filters={"status": "nope"})[0]) == []


def test_update_moves_case_within_scope(tree, political):
    case = make_case(tree.county)
    services.rights_case_update(actor=political, case=case, unit=tree.station)
    assert RightsCase.objects.get(pk=case.pk).unit == tree.station
    with pytest.raises(PermissionDenied):
        services.rights_case_update(actor=political, case=case, unit=tree.other_station)
    with pytest.raises(ValidationError):
        services.rights_case_update(actor=political, case=case, incident_date=today() + dt.timedelta(days=2))
