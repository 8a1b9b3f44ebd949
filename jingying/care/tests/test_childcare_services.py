import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.care.choices import EnrolmentStatus
from jingying.care.models.childcare import ChildcareAttendance
from jingying.care.selectors import childcare as selectors
from jingying.care.services import childcare as services
from jingying.care.tests.factories_support import make_programme, today
from jingying.core.models import Notification
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return Tree()


def _child(person, years=7, **extra):
    return DependentFactory(person=person, birth_date=today().replace(year=today().year - years) - dt.timedelta(days=30),
                            **extra)


def _parent(tree, name):
    person = PersonFactory(unit=tree.station)
    return person, make_user(name, role=Role.OFFICER, unit=tree.station, person=person)


def test_enrol_fills_places_then_waiting_list_and_cancel_promotes(tree):
    programme = make_programme(tree.city, capacity=1)
    (p1, u1), (p2, u2), (p3, u3) = _parent(tree, "a"), _parent(tree, "b"), _parent(tree, "c")
    first = services.childcare_enrol(actor=u1, programme=programme, child=_child(p1))
    second = services.childcare_enrol(actor=u2, programme=programme, child=_child(p2))
    third = services.childcare_enrol(actor=u3, programme=programme, child=_child(p3))
    assert [first.status, second.status, third.status] == ["enrolled", "waiting", "waiting"]
    assert selectors.waiting_position(third) == 2 and selectors.waiting_position(first) is None
    promoted = services.childcare_cancel(actor=u1, enrolment=first)
    assert promoted == [second]
    second.refresh_from_db()
    assert second.status == EnrolmentStatus.ENROLLED and second.promoted_at
    assert Notification.objects.filter(user=u2, kind="care.childcare.promoted").exists()
    assert not Notification.objects.filter(user=u3).exists()
    with pytest.raises(ValidationError):
        services.childcare_cancel(actor=u1, enrolment=first)
    # Cancelling a waiting child promotes nobody.
    assert services.childcare_cancel(actor=u3, enrolment=third) == []
    with pytest.raises(PermissionDenied):
        services.childcare_cancel(actor=u3, enrolment=second)


def test_enrol_checks_age_relation_duplicates_and_ownership(tree):
    programme = make_programme(tree.city, capacity=5)
    person, user = _parent(tree, "p")
    _other, other_user = _parent(tree, "q")
    with pytest.raises(ValidationError) as exc:
        services.childcare_enrol(actor=user, programme=programme, child=_child(person, years=15))
    assert "不在 4–12 岁范围内" in str(exc.value)
    with pytest.raises(ValidationError):
        services.childcare_enrol(actor=user, programme=programme, child=_child(person, relation="spouse"))
    with pytest.raises(ValidationError):
        services.childcare_enrol(actor=user, programme=programme, child=DependentFactory(person=person, birth_date=None))
    child = _child(person)
    with pytest.raises(PermissionDenied):
        services.childcare_enrol(actor=other_user, programme=programme, child=child)
    services.childcare_enrol(actor=user, programme=programme, child=child)
    with pytest.raises(ValidationError):
        services.childcare_enrol(actor=user, programme=programme, child=child)
    closed = make_programme(tree.other_city, open=False, name="包头托管")
    with pytest.raises(ValidationError) as exc:
        services.childcare_enrol(actor=user, programme=closed, child=_child(person))
    assert "停止报名" in str(exc.value) and "不面向" in str(exc.value)


def test_staff_enrol_update_capacity_promotes_and_attendance(tree):
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    programme = make_programme(tree.city, capacity=1, start=today() - dt.timedelta(days=3))
    a, _ua = _parent(tree, "a")
    b, _ub = _parent(tree, "b")
    ea = services.childcare_enrol(actor=staff, programme=programme, child=_child(a))
    eb = services.childcare_enrol(actor=staff, programme=programme, child=_child(b))
    assert eb.status == "waiting"
    with pytest.raises(ValidationError):
        services.childcare_programme_update(actor=staff, programme=programme, capacity=0)
    services.childcare_programme_update(actor=staff, programme=programme, capacity=2)
    eb.refresh_from_db()
    assert eb.status == "enrolled"
    with pytest.raises(ValueError, match="unknown"):
        services.childcare_programme_update(actor=staff, programme=programme, bogus=1)
    day = today() - dt.timedelta(days=1)
    assert services.childcare_attendance_mark(actor=staff, programme=programme, day=day, present_ids={ea.pk}) == 2
    assert services.childcare_attendance_mark(actor=staff, programme=programme, day=day, present_ids={ea.pk, eb.pk}) == 2
    assert ChildcareAttendance.objects.filter(day=day, present=True).count() == 2
    for bad_day, ids in [(today() + dt.timedelta(days=1), set()), (programme.end + dt.timedelta(days=1), set()),
                         (day, {10**9})]:
        with pytest.raises(ValidationError):
            services.childcare_attendance_mark(actor=staff, programme=programme, day=bad_day, present_ids=ids)
    days, enrolled, grid = selectors.attendance_grid(programme)
    assert days == [day] and len(enrolled) == 2 and grid[(ea.pk, day)] is True
    services.childcare_programme_delete(actor=staff, programme=programme)


def test_programme_validation_and_scope(tree):
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    with pytest.raises(ValidationError) as exc:
        services.childcare_programme_create(actor=staff, unit=tree.county, name="x", centre="c", period="p",
                                            start=today(), end=today() - dt.timedelta(days=1), capacity=0,
                                            min_age=10, max_age=5)
    assert {"end", "max_age", "capacity"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        make_programme(tree.city) and services.childcare_programme_create(
            actor=staff, unit=tree.city, name="x", centre="c", period="p", start=today(), end=today(), capacity=1,
            min_age=1, max_age=2)
    mine = make_programme(tree.county, name="县局托管")
    make_programme(tree.other_county, name="外县托管")
    assert [p.name for p in selectors.childcare_programme_list(actor=staff)[0]] == ["县局托管"]
    person = PersonFactory(unit=tree.station)
    assert {p.name for p in selectors.programmes_open_to(person)} == {"暑期托管班", "县局托管"}
    assert mine.enrolled_count if hasattr(mine, "enrolled_count") else True
