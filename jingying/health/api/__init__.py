"""JSON API of the health app: one router per part, mounted on `router` at /api/v1/health/."""

from ninja import Router

router = Router(tags=["health"])

from jingying.health.api import checkups as _checkups  # noqa: E402

router.add_router("/checkups", _checkups.router)
from jingying.health.api.psych import router as psych_router  # noqa: E402  (health-psych)

router.add_router("/psych", psych_router)
