"""Protective-equipment screens: generic list suite (scope, pinned queries), the expiring list,
export, issuing, return/replace/delete from the profile panel, the import screen."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.models import EquipmentIssue, EquipmentType
from jingying.care.services.equipment import IMPORT_HEADERS
from jingying.care.tests.factories_fund import make_issue, make_type
from jingying.core.testing import ListViewTests, Scope, login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def _scope() -> Scope:
    tree = Tree()
    vest = make_type()
    inside = make_issue(PersonFactory(unit=tree.station, name="配发甲"), vest, dt.date(2025, 1, 1))
    outside = make_issue(PersonFactory(unit=tree.other_station, name="配发乙"), vest, dt.date(2025, 1, 1))
    user = make_user("eqv_leader", role=Role.LEADER, unit=tree.county)
    # Every business role sees its own equipment (self-service, decision 0014): the 三员 see none.
    nobody = make_user("eqv_admin", role=Role.SYSADMIN, unit=tree.region)
    return Scope(inside=inside, outside=outside, user=user, nobody=nobody, extra={"tree": tree, "type": vest})


class TestEquipmentListViews(ListViewTests):
    model = EquipmentIssue
    list_url = "care:equipment_list"
    list_queries = 7

    def build(self) -> Scope:
        return _scope()

    def label(self, obj: Any) -> str:
        return obj.person.name

    def make_rows(self, scope: Scope, n: int) -> None:
        for _ in range(n):
            make_issue(PersonFactory(unit=scope.extra["tree"].station), scope.extra["type"], dt.date(2025, 1, 1))

    def visible_rows(self, scope: Scope) -> int:
        return EquipmentIssue.objects.filter(person__unit=scope.extra["tree"].station).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="issue-row"')


def test_expiring_list_export_and_officer_sees_own():
    from python_calamine import CalamineWorkbook

    tree = Tree()
    leader = make_user("eqv_l", role=Role.LEADER, unit=tree.county)
    vest = make_type()
    today = timezone.localdate()
    me = PersonFactory(unit=tree.station, name="将到期")
    officer = make_user("eqv_o", role=Role.OFFICER, unit=tree.station, person=me)
    make_issue(me, vest, today - dt.timedelta(days=1000), expires_on=today + dt.timedelta(days=10))
    make_issue(PersonFactory(unit=tree.station, name="已过期的人"), vest, today - dt.timedelta(days=1200),
               expires_on=today - dt.timedelta(days=5))
    client = login_client(leader)
    body = client.get(reverse("care:equipment_expiring")).content.decode()
    assert "将到期" in body and "已过期的人" not in body and "各单位到期情况" in body
    body = client.get(reverse("care:equipment_expiring"), {"state": "expired"}).content.decode()
    assert "已过期的人" in body
    body = client.get(reverse("care:equipment_expiring"), {"unit": tree.station.pk}).content.decode()
    assert "将到期" in body and tree.station.name in body
    assert client.get(reverse("care:equipment_expiring"), {"unit": tree.other_station.pk}).status_code == 404
    response = client.get(reverse("care:equipment_export"), {"state": "expired"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][1] == "已过期的人" and rows[1][7] == "已过期"
    own = login_client(officer).get(reverse("care:equipment_list")).content.decode()
    assert "将到期" in own and "已过期的人" not in own
    assert login_client(officer).get(reverse("care:equipment_export")).status_code == 403
    # The profile panel shows the person's equipment, with actions for the leader only.
    profile = client.get(reverse("org:person_detail", args=[me.pk])).content.decode()
    assert "防护装备" in profile and "更换" in profile
    assert "更换" not in login_client(officer).get(reverse("org:person_detail", args=[me.pk])).content.decode()


def test_issue_form_and_panel_actions():
    tree = Tree()
    leader = make_user("eqv_l2", role=Role.LEADER, unit=tree.county)
    make_type("头盔", 60)
    person = PersonFactory(unit=tree.station)
    outsider = PersonFactory(unit=tree.other_station)
    client = login_client(leader)
    url = reverse("care:equipment_issue_create")
    assert person.police_number in client.get(url, {"person": person.pk}).content.decode()
    kind = EquipmentType.objects.get(name="头盔")
    response = client.post(url, {"person_ref": outsider.police_number, "kind": kind.pk, "issued_on": "2025-01-01"})
    assert response.status_code == 400 and "找不到" in response.content.decode()
    response = client.post(url, {"person_ref": person.id_number, "kind": kind.pk, "issued_on": "2999-01-01"})
    assert response.status_code == 400
    response = client.post(url, {"person_ref": person.police_number, "kind": kind.pk, "issued_on": "2025-01-01"})
    assert response.status_code == 302
    issue = EquipmentIssue.objects.get(person=person)
    assert issue.expires_on == dt.date(2030, 1, 1)
    client.post(reverse("care:equipment_issue_replace", args=[issue.pk]))
    assert EquipmentIssue.objects.filter(person=person).count() == 2
    new = EquipmentIssue.objects.get(person=person, status="issued")
    client.post(reverse("care:equipment_issue_return", args=[new.pk]))
    response = client.post(reverse("care:equipment_issue_return", args=[new.pk]), follow=True)
    assert "已交回或更换" in response.content.decode()
    client.post(reverse("care:equipment_issue_delete", args=[new.pk]))
    assert EquipmentIssue.objects.filter(person=person).count() == 1


def _xlsx(rows):
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return SimpleUploadedFile("issues.xlsx", buffer.getvalue())


def test_import_screen_reports_rows_and_imports_all_or_nothing():
    tree = Tree()
    leader = make_user("eqv_l3", role=Role.LEADER, unit=tree.county)
    make_type("防刺服", 36)
    person = PersonFactory(unit=tree.station)
    client = login_client(leader)
    url = reverse("care:equipment_import")
    assert client.get(url).status_code == 200
    template = client.get(reverse("care:equipment_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    bad = client.post(url, {"file": _xlsx([IMPORT_HEADERS, [person.id_number, "防刺服", "2025-01-01"],
                                           ["110101199001011234", "防刺服", "bad"]])})
    body = bad.content.decode()
    assert bad.status_code == 400 and "未导入任何数据" in body and "无法识别" in body
    assert EquipmentIssue.objects.count() == 0
    dry = client.post(url, {"file": _xlsx([IMPORT_HEADERS, [person.id_number, "防刺服", "2025-01-01"]]),
                            "dry_run": "on"})
    assert dry.status_code == 200 and "校验通过" in dry.content.decode() and EquipmentIssue.objects.count() == 0
    ok = client.post(url, {"file": _xlsx([IMPORT_HEADERS, [person.id_number, "防刺服", "2025-01-01"]])})
    assert ok.status_code == 302 and EquipmentIssue.objects.count() == 1
    junk = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"junk")})
    assert junk.status_code == 400 and "无法读取" in junk.content.decode()


def test_types_page_and_edit():
    tree = Tree()
    political = make_user("eqv_p", role=Role.POLITICAL, unit=tree.region)
    leader = make_user("eqv_l4", role=Role.LEADER, unit=tree.county)
    client = login_client(political)
    url = reverse("care:equipment_types")
    assert client.post(url, {"name": "", "service_life_months": "0"}).status_code == 400
    assert client.post(url, {"name": "执法记录仪", "service_life_months": "48", "required": "on",
                             "active": "on"}).status_code == 302
    kind = EquipmentType.objects.get(name="执法记录仪")
    edit = reverse("care:equipment_type_edit", args=[kind.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"name": "执法记录仪", "service_life_months": "60", "active": "on"}).status_code == 302
    kind.refresh_from_db()
    assert kind.service_life_months == 60 and not kind.required
    assert client.get(reverse("care:equipment_type_edit", args=[999999])).status_code == 404
    assert login_client(leader).post(url, {"name": "x", "service_life_months": "1"}).status_code == 403
    assert "执法记录仪" in login_client(leader).get(url).content.decode()
