"""The Procurement Lab's pages, each slice's in its own ``urls.py``."""

from infuse.procurement.bids.urls import urlpatterns as bids
from infuse.procurement.challenges.urls import urlpatterns as challenges
from infuse.procurement.contracts.urls import urlpatterns as contracts
from infuse.procurement.evaluation.urls import urlpatterns as evaluation
from infuse.procurement.questions.urls import urlpatterns as questions
from infuse.procurement.redflags.urls import urlpatterns as flags
from infuse.procurement.register.urls import urlpatterns as register
from infuse.procurement.social_value.urls import urlpatterns as social_value
from infuse.procurement.spend.urls import urlpatterns as spend
from infuse.procurement.suppliers.urls import urlpatterns as suppliers

app_name = "procurement"
urlpatterns = [
    *challenges,
    *suppliers,
    *questions,
    *bids,
    *evaluation,
    *register,
    *contracts,
    *social_value,
    *spend,
    *flags,
]
