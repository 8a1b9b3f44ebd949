"""Six guarantees screens and API: the table by unit, drill-down, export, entering a figure, scope."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models import ScorecardEntry
from jingying.core.testing import login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sv():
    tree = Tree()
    PersonFactory(unit=tree.station)
    return (tree, make_user("sv_pol", role=Role.POLITICAL, unit=tree.city),
            make_user("sv_leader", role=Role.LEADER, unit=tree.county))


def test_scorecard_page_enter_and_drill_down(sv, django_assert_max_num_queries):
    tree, political, leader = sv
    client = login_client(political)
    url = reverse("care:scorecard_enter", args=[tree.station.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"year": 2025, "guarantee": "living", "score": "120", "note": "x"}).status_code == 400
    response = client.post(url, {"year": 2025, "guarantee": "living", "score": "82.5", "note": "宿舍改造完成"})
    assert response.status_code == 302
    page = client.get(reverse("care:scorecard"), {"year": 2025}).content.decode()
    assert tree.city.name in page and "82.5" in page
    lead = login_client(leader)
    lead.get(reverse("care:scorecard"))
    with django_assert_max_num_queries(14):  # constant: units, head counts, entries, equipment, shell
        page = lead.get(reverse("care:scorecard"), {"year": 2025}).content.decode()
    assert tree.county.name in page and "82.5" in page and "/enter/" not in page
    page = login_client(leader).get(reverse("care:scorecard"), {"unit": tree.station.pk, "year": 2025})
    assert page.status_code == 200 and tree.county.short_name in page.content.decode()  # link up
    assert login_client(leader).get(reverse("care:scorecard"), {"unit": tree.other_county.pk}).status_code == 404
    assert login_client(leader).get(url).status_code == 403


def test_scorecard_export(sv):
    from python_calamine import CalamineWorkbook

    tree, political, _leader = sv
    ScorecardEntry.objects.create(unit=tree.station, year=2025, guarantee="service", score=70, note="n")
    response = login_client(political).get(reverse("care:scorecard_export"), {"year": 2025, "unit": tree.county.pk})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[2][0] == tree.county.name and rows[3][0] == tree.station.name
    assert 70.0 in rows[3] and "人工录入" in rows[3] and "下级汇总" in rows[2]


def test_scorecard_api(sv):
    tree, political, leader = sv
    client = login_client(political)
    response = client.post(reverse("api:scorecard_entry_put"), json.dumps(
        {"unit_id": tree.station.pk, "year": 2025, "guarantee": "activity", "score": 91, "note": "文体活动"}),
        content_type="application/json")
    assert response.status_code == 200 and response.json()["score"] == "91.0"
    bad = client.post(reverse("api:scorecard_entry_put"), json.dumps(
        {"unit_id": tree.station.pk, "year": 2025, "guarantee": "bogus", "score": 91, "note": ""}),
        content_type="application/json")
    assert bad.status_code == 422 and "guarantee" in bad.json()["errors"]
    data = login_client(leader).get(reverse("api:scorecard_get"), {"year": 2025}).json()
    assert data["rows"][0]["unit_id"] == tree.county.pk
    cell = next(c for c in data["rows"][0]["cells"] if c["guarantee"] == "activity")
    assert cell["value"] == "91.0" and cell["source"] == "rolled_up"
    other = login_client(leader).get(reverse("api:scorecard_get"), {"unit": tree.other_county.pk})
    assert other.status_code == 404
