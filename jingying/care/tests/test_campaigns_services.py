import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.care.choices import CareMeasure
from jingying.care.models.campaigns import CampaignChecklistItem, CampaignReach
from jingying.care.selectors import campaigns as selectors
from jingying.care.services import campaigns as services
from jingying.care.services.support_common import id_rows_from_text, id_rows_from_workbook
from jingying.care.tests.factories_support import make_campaign, today
from jingying.core.models import Notification
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return Tree()


@pytest.fixture
def political(tree):
    return make_user("pd", role=Role.POLITICAL, unit=tree.city)


def test_create_builds_checklist_and_validates(tree, political):
    campaign = services.care_campaign_create(actor=political, unit=tree.city, name="安保行动", start=today(),
                                             end=today() + dt.timedelta(days=5), units=[tree.county],
                                             measures=["visits", "medical"])
    assert CampaignChecklistItem.objects.filter(campaign_unit__campaign=campaign).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.care_campaign_create(actor=political, unit=tree.city, name="x", start=today(),
                                      end=today() - dt.timedelta(days=1), units=[tree.other_county], measures=[])
    assert {"end", "measures", "units"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.care_campaign_create(actor=political, unit=tree.city, name="x", start=today(), end=today(),
                                      units=[], measures=["bogus"])
    with pytest.raises(PermissionDenied):
        services.care_campaign_create(actor=political, unit=tree.other_city, name="x", start=today(), end=today(),
                                      units=[tree.other_county])
    services.care_campaign_update(actor=political, campaign=campaign, measures=list(CareMeasure.values),
                                  units=[tree.county, tree.station])
    assert CampaignChecklistItem.objects.filter(campaign_unit__campaign=campaign).count() == 12
    services.care_campaign_update(actor=political, campaign=campaign, name="改名")
    services.care_campaign_delete(actor=political, campaign=campaign)
    assert not CampaignChecklistItem.objects.exists()


def test_checklist_mark_by_leader_of_unit(tree):
    make_campaign(tree.region, [tree.county, tree.other_county])
    leader = make_user("ld", role=Role.LEADER, unit=tree.county)
    mine = CampaignChecklistItem.objects.get(campaign_unit__unit=tree.county, measure="visits")
    theirs = CampaignChecklistItem.objects.get(campaign_unit__unit=tree.other_county, measure="visits")
    services.campaign_checklist_mark(actor=leader, item=mine, done=True, note="已走访 12 户")
    mine.refresh_from_db()
    assert mine.done and mine.done_on == today() and mine.done_by == leader
    with pytest.raises(PermissionDenied):
        services.campaign_checklist_mark(actor=leader, item=theirs, done=True)
    services.campaign_checklist_mark(actor=leader, item=mine, done=False)
    mine.refresh_from_db()
    assert not mine.done and mine.done_on is None


def test_reach_by_unit_and_by_ids_all_or_nothing_and_coverage(tree, political):
    a = PersonFactory(unit=tree.station)
    b = PersonFactory(unit=tree.station)
    aux = PersonFactory(unit=tree.county, category="auxiliary")
    out = PersonFactory(unit=tree.other_station)
    campaign = make_campaign(tree.city, [tree.county], category="police")
    assert set(services.campaign_people(campaign)) == {a, b}
    assert services.campaign_reach_unit(actor=political, campaign=campaign, measure="visits", unit=tree.station) == 2
    assert services.campaign_reach_unit(actor=political, campaign=campaign, measure="visits", unit=tree.station) == 0
    rows = id_rows_from_text(f"{a.id_number}\n{out.id_number}\n110101199001011234，{aux.id_number}")
    with pytest.raises(ValidationError) as exc:
        services.campaign_reach_ids(actor=political, campaign=campaign, measure="medical", rows=rows)
    messages = exc.value.message_dict["id_numbers"]
    assert any(m.startswith("第 2 行") for m in messages) and any("不在人员库" in m for m in messages)
    assert not CampaignReach.objects.filter(measure="medical").exists()
    n = services.campaign_reach_ids(actor=political, campaign=campaign, measure="medical",
                                    rows=id_rows_from_text(a.id_number))
    assert n == 1
    with pytest.raises(ValidationError):
        services.campaign_reach_ids(actor=political, campaign=campaign, measure="medical", rows=[])
    services.care_campaign_update(actor=political, campaign=campaign, measures=["visits", "medical"])
    with pytest.raises(ValidationError):
        services.campaign_reach_unit(actor=political, campaign=campaign, measure="insurance", unit=tree.county)
    units = selectors.campaign_units(political, campaign)
    rows, total = selectors.campaign_coverage(campaign, units)
    assert total.people == 2 and total.reached == {"visits": 2, "medical": 1}
    assert rows[0].percent("medical") == 50 and rows[0].cells(["visits"]) == [(2, 100)]
    reach = CampaignReach.objects.get(measure="medical")
    services.campaign_reach_remove(actor=political, reach=reach)
    with pytest.raises(PermissionDenied):
        services.campaign_reach_unit(actor=political, campaign=campaign, measure="visits", unit=tree.other_county)
    empty = make_campaign(tree.city, [tree.county], category="career", name="空")
    with pytest.raises(ValidationError):
        services.campaign_reach_unit(actor=political, campaign=empty, measure="visits", unit=tree.county)


def test_reach_ids_from_workbook(tree, political):
    a = PersonFactory(unit=tree.station)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号"])
    sheet.write_row(1, 0, [a.name, a.id_number.lower()])
    book.close()
    rows = id_rows_from_workbook(buffer.getvalue())
    assert [(r.row, r.id_number) for r in rows] == [(2, a.id_number)]
    with pytest.raises(ValidationError):
        id_rows_from_workbook(b"not a workbook")


def test_remind_tells_leaders_of_units_not_visited(tree):
    visited = PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    campaign = make_campaign(tree.region, [tree.county, tree.other_county])
    make_campaign(tree.region, [tree.county], name="已结束", start=today() - dt.timedelta(days=30),
                  end=today() - dt.timedelta(days=1))
    leader = make_user("ld", role=Role.LEADER, unit=tree.county)
    other_leader = make_user("ld2", role=Role.LEADER, unit=tree.other_county)
    make_user("pd", role=Role.POLITICAL, unit=tree.city)
    services.campaign_reach_unit(actor=SYSTEM, campaign=campaign, measure="visits", unit=tree.county)
    assert visited.pk in set(CampaignReach.objects.values_list("person_id", flat=True))
    assert services.care_campaign_remind() == 1
    assert not Notification.objects.filter(user=leader).exists()
    note = Notification.objects.get(user=other_leader)
    assert "1 人未走访" in note.title and note.url.endswith(f"/campaigns/{campaign.pk}/")


def test_scope_station_leader_sees_campaign_of_their_unit(tree):
    campaign = make_campaign(tree.city, [tree.station])
    other = make_campaign(tree.other_city, [tree.other_station], name="包头行动")
    station_leader = make_user("sl", role=Role.LEADER, unit=tree.station)
    county_pd = make_user("cpd", role=Role.POLITICAL, unit=tree.county)
    assert list(selectors.care_campaign_list(actor=station_leader)[0]) == [campaign]
    assert selectors.access_care_campaign(station_leader, campaign.pk) == campaign
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_care_campaign(station_leader, other.pk)
    with pytest.raises(Http404):  # taking part is not running it
        selectors.access_care_campaign(county_pd, campaign.pk, perm="care.change_carecampaign", owner=True)
    with pytest.raises(Http404):
        selectors.access_checklist_item(station_leader, 10**9, perm="care.mark_carecampaign")


def test_update_refuses_unknown_fields(tree, political):
    campaign = make_campaign(tree.city, [tree.county])
    with pytest.raises(ValueError, match="unknown"):
        services.care_campaign_update(actor=political, campaign=campaign, unit=tree.county)
