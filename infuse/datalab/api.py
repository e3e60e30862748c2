"""The Data Lab's JSON endpoints (``/api/v1/data``): each slice's router, put together."""

from __future__ import annotations

from ninja import Router

from infuse.datalab.catalogue.api import router as catalogue
from infuse.datalab.comparators.api import router as comparators
from infuse.datalab.indicators.api import router as indicators
from infuse.datalab.ingest.api import router as ingest
from infuse.datalab.recipes.api import router as recipes
from infuse.datalab.sql.api import router as sql

router = Router(tags=["Data Lab"])
router.add_router("", catalogue)
router.add_router("", ingest)
router.add_router("", recipes)
router.add_router("", indicators)
router.add_router("", comparators)
router.add_router("", sql)
