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

# --- health-psych ---
from jingying.health.models.counselling import (  # noqa: F401
    AnonymousQuestion,
    AvailabilitySlot,
    BreakGlass,
    CounsellingSession,
    Counsellor,
)
from jingying.health.models.crisis import CrisisAlert  # noqa: F401
from jingying.health.models.screening import (  # noqa: F401
    RoundCampaign,
    ScreeningConsent,
    ScreeningResult,
    ScreeningRound,
)

