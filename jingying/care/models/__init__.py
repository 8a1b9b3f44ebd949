"""Models, one module per part of the app; each part's module is imported here."""
from jingying.care.models.equipment import EquipmentIssue, EquipmentType  # noqa: F401
from jingying.care.models.fund import Fund, LedgerEntry, ReliefGrant  # noqa: F401
from jingying.care.models.scorecard import ScorecardEntry  # noqa: F401
