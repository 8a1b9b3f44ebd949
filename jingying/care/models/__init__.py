"""Models, one module per part of the app; each part's module is imported here."""
# --- care-support ---
from jingying.care.models import campaigns as campaigns
from jingying.care.models import childcare as childcare
from jingying.care.models import insurance as insurance
from jingying.care.models import rights as rights
from jingying.care.models.concerns import Concern, ConcernEvent  # noqa: F401
from jingying.care.models.equipment import EquipmentIssue, EquipmentType  # noqa: F401
from jingying.care.models.fund import Fund, LedgerEntry, ReliefGrant  # noqa: F401
from jingying.care.models.hospitals import GreenChannelService, PartnerHospital, PoliceWindow, Referral  # noqa: F401
from jingying.care.models.scorecard import ScorecardEntry  # noqa: F401
from jingying.care.models.visits import CareVisit, CareVisitPlan, CareVisitTarget, FieldVisit  # noqa: F401
