"""Models, one module per part of the app; each part's module is imported here."""

from jingying.health.models.checkups import (  # noqa: F401
    CheckupFinding,
    CheckupImport,
    CheckupPlan,
    CheckupRecord,
    CheckupStatus,
    FollowUp,
    FollowUpStatus,
)
