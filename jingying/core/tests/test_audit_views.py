import io

import pytest
from python_calamine import CalamineWorkbook

from jingying.accounts.login_rules import SESSION_SECOND_FACTOR
from jingying.accounts.roles import Role
from jingying.core import audit
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = True
    session.save()


@pytest.fixture
def tree():
    return Tree()


def test_only_the_audit_administrator_reads_the_trail(client, tree):
    audit.record(actor=None, action="test.thing", object_repr="某对象")
    for role in (Role.SYSADMIN, Role.SECADMIN, Role.POLITICAL):
        _sign_in(client, make_user(f"u-{role}", role=role, unit=tree.region))
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.xlsx").status_code == 403
    _sign_in(client, make_user("auditor", role=Role.AUDITOR, unit=tree.region))
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "某对象" in page.content.decode()


def test_filters_and_export_are_audited(client, tree):
    audit.record(actor=None, action="org.person.update", object_repr="甲", person_id=7)
    audit.record(actor=None, action="org.unit.create", object_repr="乙")
    auditor = make_user("auditor", role=Role.AUDITOR, unit=tree.region)
    _sign_in(client, auditor)
    body = client.get("/audit/", {"action": "org.person"}).content.decode()
    assert "甲" in body
    assert "乙" not in body
    assert "乙" not in client.get("/audit/", {"person": 7}).content.decode()
    assert client.get("/audit/", {"since": "not-a-date"}).status_code == 400
    response = client.get("/audit/export.xlsx", {"person": 7})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2
    assert rows[1][7] == "甲"
    assert AuditEntry.objects.filter(action="core.audit.export", actor=auditor).exists()


def test_officer_sees_who_opened_their_sensitive_records(client, tree):
    me = PersonFactory(unit=tree.station)
    other = PersonFactory(unit=tree.station)
    counsellor = make_user("counsellor", role=Role.COUNSELLOR, unit=tree.region, domains=["psych"])
    audit.record_read(actor=counsellor, obj=me, person_id=me.pk, domain="psych", reason="筛查复核")
    audit.record_read(actor=counsellor, obj=other, person_id=other.pk, domain="psych", reason="别人的")
    audit.record(actor=counsellor, action="org.person.update", obj=me, person_id=me.pk)
    _sign_in(client, make_user("officer", role=Role.OFFICER, unit=tree.station, person=me))
    body = client.get("/me/access-log/").content.decode()
    assert "counsellor" in body
    assert "筛查复核" in body
    assert "别人的" not in body
    assert "org.person.update" not in body
