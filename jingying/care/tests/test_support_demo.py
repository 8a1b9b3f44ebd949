import pytest

from jingying.care.demo_support import load_demo_care_support
from jingying.care.models.campaigns import CampaignReach, CareCampaign
from jingying.care.models.childcare import ChildcareAttendance, ChildcareEnrolment
from jingying.care.models.insurance import InsuranceClaim, InsuredPerson
from jingying.care.models.rights import RightsCase
from jingying.care.selectors.campaigns import campaign_coverage
from jingying.care.services.campaigns import care_campaign_remind
from jingying.care.services.insurance import insurance_remind_expiring
from jingying.org.demo.generator import load_demo

pytestmark = pytest.mark.django_db


def test_demo_loader_fills_three_years_and_is_idempotent():
    load_demo(people=400, seed=7)
    summary = load_demo_care_support(seed=7)
    assert summary["rights"] >= 6 and summary["campaigns"] >= 3 and summary["insurance"] >= 3
    assert RightsCase.objects.filter(status="closed").exists()
    assert CampaignReach.objects.exists() and InsuredPerson.objects.exists()
    assert ChildcareEnrolment.objects.exists() and ChildcareAttendance.objects.exists()
    assert InsuranceClaim.objects.exists()
    years = {d.year for d in RightsCase.objects.values_list("incident_date", flat=True)}
    assert len(years) >= 3
    running = CareCampaign.objects.order_by("-end").first()
    _rows, total = campaign_coverage(running, list(running.units.select_related("unit")))
    assert total.people > 0
    assert load_demo_care_support(seed=7) == {}
    assert care_campaign_remind() >= 1
    assert insurance_remind_expiring() >= 1
