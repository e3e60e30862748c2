"""The region's endpoints: goals and themes, councils, and what works."""

from ninja import Router

from infuse.region.councils.api import router as councils
from infuse.region.goals.api import router as goals
from infuse.region.whatworks.api import router as what_works

router = Router()
router.add_router("", goals)
router.add_router("", councils)
router.add_router("", what_works)
