"""The Adaption Lab's JSON endpoints: its slices' routers put together (one tag)."""

from ninja import Router

from infuse.adaption.analysis.api import router as analysis
from infuse.adaption.decisions.api import router as decisions
from infuse.adaption.design.api import router as design
from infuse.adaption.protocol.api import router as protocol
from infuse.adaption.randomisation.api import router as randomisation
from infuse.adaption.registry.api import router as registry

router = Router(tags=["Adaption Lab"])
for slice_router in (registry, design, protocol, randomisation, analysis, decisions):
    router.add_router("", slice_router)
