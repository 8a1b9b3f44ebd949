"""JSON API of the care app: one router per part, mounted on `router` at /api/v1/care/."""

from ninja import Router

router = Router(tags=["care"])

# --- care-support ---
from jingying.care.api import rights as _rights  # noqa: E402

router.add_router("/rights", _rights.router)
from jingying.care.api import campaigns as _campaigns  # noqa: E402
from jingying.care.api import childcare as _childcare  # noqa: E402
from jingying.care.api import insurance as _insurance  # noqa: E402

router.add_router("/campaigns", _campaigns.router)
router.add_router("/childcare", _childcare.router)
router.add_router("/insurance", _insurance.router)
