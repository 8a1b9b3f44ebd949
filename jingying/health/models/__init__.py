"""Models, one module per part of the app; each part's module is imported here."""
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

