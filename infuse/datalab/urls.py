"""The Data Lab's pages (``datalab:…``): each slice's, put together."""

from infuse.datalab.catalogue.urls import urlpatterns as catalogue
from infuse.datalab.comparators.urls import urlpatterns as comparators
from infuse.datalab.indicators.urls import urlpatterns as indicators
from infuse.datalab.ingest.urls import urlpatterns as ingest
from infuse.datalab.recipes.urls import urlpatterns as recipes
from infuse.datalab.sql.urls import urlpatterns as sql

app_name = "datalab"
urlpatterns = [*catalogue, *ingest, *recipes, *indicators, *comparators, *sql]
