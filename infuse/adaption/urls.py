"""The Adaption Lab's pages: its slices' pages put together under /experiments/."""

from infuse.adaption.analysis.urls import urlpatterns as analysis
from infuse.adaption.decisions.urls import urlpatterns as decisions
from infuse.adaption.design.urls import urlpatterns as design
from infuse.adaption.protocol.urls import urlpatterns as protocol
from infuse.adaption.randomisation.urls import urlpatterns as randomisation
from infuse.adaption.registry.urls import urlpatterns as registry

app_name = "adaption"
urlpatterns = [*registry, *design, *protocol, *randomisation, *analysis, *decisions]
