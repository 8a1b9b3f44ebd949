"""Campaign screens: the generic suites plus checklist, reach (unit, list, Excel) and export."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models.campaigns import CampaignChecklistItem, CampaignReach, CareCampaign
from jingying.care.tests.factories_support import make_campaign, today
from jingying.care.tests.support_suites import SupportViewTests, tree_scope
from jingying.core.testing import (
    Scope,
    login_client,
)
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def form_data(unit: Any, units: list[Any], name: str = "新活动") -> dict[str, Any]:
    return {"name": name, "unit": unit.pk, "start": today().isoformat(), "end": today().isoformat(),
            "units": [u.pk for u in units], "measures": ["visits", "medical"], "category": "", "notes": ""}


class TestCampaignViews(SupportViewTests):
    model = CareCampaign
    urls = "care:campaign_"
    # session, user, login security, grants, COUNT, the page (participating units counted in it).
    list_queries = 6

    def build(self) -> Scope:
        return tree_scope(lambda unit, name: make_campaign(unit, name=name),
                          inside=("county", "新城夏季行动"), outside=("other_county", "东河夏季行动"))

    def make_row(self, scope: Scope, i: int) -> None:
        make_campaign(scope.extra["tree"].county, name=f"行动{i}")

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        tree = scope.extra["tree"]
        unit = tree.county if inside else tree.other_county
        return reverse(self.create_url), form_data(unit, [unit])

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return form_data(obj.unit, [obj.unit], name="改名的行动")

    def was_edited(self, obj: Any) -> bool:
        return CareCampaign.objects.get(pk=obj.pk).name == "改名的行动"


def test_detail_checklist_reach_and_export():
    tree = Tree()
    people = [PersonFactory(unit=tree.station) for _ in range(4)]
    campaign = make_campaign(tree.city, [tree.county])
    leader = make_user("ld", role=Role.LEADER, unit=tree.county)
    client = login_client(leader)
    detail = client.get(reverse("care:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == 200 and "登记覆盖人员" in detail.content.decode()
    assert client.get(reverse("care:campaign_edit", args=[campaign.pk])).status_code == 404
    item = CampaignChecklistItem.objects.get(campaign_unit__unit=tree.county, measure="medical")
    client.post(reverse("care:campaign_checklist_mark", args=[item.pk]), {"done": "on", "note": "医疗队到岗体检"})
    item.refresh_from_db()
    assert item.done and item.note == "医疗队到岗体检"
    client.post(reverse("care:campaign_checklist_mark", args=[item.pk]), {"done_on": "bad"})
    reach = reverse("care:campaign_reach", args=[campaign.pk])
    assert client.get(reach).status_code == 200
    assert client.post(reach, {"measure": "visits"}).status_code == 400
    response = client.post(reach, {"measure": "visits", "unit": tree.county.pk})
    assert response.status_code == 302
    bad = client.post(reach, {"measure": "medical", "id_numbers": f"{people[0].id_number}\n110101199001011234"})
    assert bad.status_code == 400 and "第 2 行" in bad.content.decode()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["身份证号"])
    sheet.write_row(1, 0, [people[1].id_number])
    book.close()
    client.post(reach, {"measure": "medical", "file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())})
    client.post(reach, {"measure": "counselling", "id_numbers": people[2].id_number})
    assert CampaignReach.objects.filter(measure="visits").count() == 4
    assert set(CampaignReach.objects.filter(measure="medical").values_list("person_id", flat=True)) == {people[1].pk}
    page = client.get(reverse("care:campaign_detail", args=[campaign.pk])).content.decode()
    assert "100%" in page and "25%" in page
    listing = client.get(reverse("care:campaign_reached", args=[campaign.pk]), {"measure": "medical"})
    assert listing.content.decode().count("<tr data-row>") == 1
    removed = CampaignReach.objects.get(measure="medical")
    client.post(reverse("care:campaign_reach_remove", args=[removed.pk]))
    assert not CampaignReach.objects.filter(measure="medical").exists()
    export = client.get(reverse("care:campaign_export", args=[campaign.pk]))
    assert export.status_code == 200
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[1][0] == tree.county.name and sheet[1][1] == 4
    outsider = login_client(make_user("ld2", role=Role.LEADER, unit=tree.other_county))
    assert outsider.get(reverse("care:campaign_export", args=[campaign.pk])).status_code == 404
    assert outsider.post(reverse("care:campaign_reach_remove", args=[10**9])).status_code == 404
