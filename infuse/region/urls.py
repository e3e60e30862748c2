"""The region's pages: goals and themes, councils, and what works."""

from infuse.region.councils.urls import urlpatterns as councils
from infuse.region.goals.urls import urlpatterns as goals
from infuse.region.whatworks.urls import urlpatterns as what_works

app_name = "region"
urlpatterns = [*goals, *councils, *what_works]
