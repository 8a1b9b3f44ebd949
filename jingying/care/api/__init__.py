"""JSON API of the care app: one router per part, mounted on `router` at /api/v1/care/."""

from ninja import Router

router = Router(tags=["care"])

from jingying.care.api.concerns import router as _concerns_router  # noqa: E402

router.add_router("/concerns", _concerns_router)

from jingying.care.api.visits import care_visits as _care_visits_router  # noqa: E402
from jingying.care.api.visits import field_visits as _field_visits_router  # noqa: E402

router.add_router("/field-visits", _field_visits_router)
router.add_router("/care-visits", _care_visits_router)
# --- care-support ---
from jingying.care.api import rights as _rights  # noqa: E402

router.add_router("/rights", _rights.router)
from jingying.care.api import campaigns as _campaigns  # noqa: E402
from jingying.care.api import childcare as _childcare  # noqa: E402
from jingying.care.api import insurance as _insurance  # noqa: E402

router.add_router("/campaigns", _campaigns.router)
router.add_router("/childcare", _childcare.router)
router.add_router("/insurance", _insurance.router)
from jingying.care.api import hospitals as _hospitals  # noqa: E402

router.add_router("/hospitals", _hospitals.router)
from jingying.care.api import equipment as _equipment_api  # noqa: E402
from jingying.care.api import fund as _fund_api  # noqa: E402
from jingying.care.api import scorecard as _scorecard_api  # noqa: E402

router.add_router("/fund", _fund_api.router)
router.add_router("/equipment", _equipment_api.router)
router.add_router("/scorecard", _scorecard_api.router)
