"""Models, one module per part of the app; each part's module is imported here."""
from jingying.care.models.equipment import EquipmentIssue, EquipmentType  # noqa: E402,F401
from jingying.care.models.fund import Fund, LedgerEntry, ReliefGrant  # noqa: E402,F401
from jingying.care.models.scorecard import ScorecardEntry  # noqa: E402,F401
