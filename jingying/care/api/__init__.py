"""JSON API of the care app: one router per part, mounted on `router` at /api/v1/care/."""

from ninja import Router

router = Router(tags=["care"])

from jingying.care.api import equipment as _equipment_api  # noqa: E402
from jingying.care.api import fund as _fund_api  # noqa: E402
from jingying.care.api import scorecard as _scorecard_api  # noqa: E402

router.add_router("/fund", _fund_api.router)
router.add_router("/equipment", _equipment_api.router)
router.add_router("/scorecard", _scorecard_api.router)
