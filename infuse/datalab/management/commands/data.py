"""`infuse data …`: the Data Lab from the command line, through the same services as the pages.

Every action that changes something is made as a named person (``--as EMAIL``) and audited as
them; reading commands without ``--as`` see what the public sees (disclosure control included).
The actions are the slices' own (``<slice>/cli.py``).
"""

from infuse.core.commands import LabCommand
from infuse.datalab.catalogue.cli import CatalogueActions
from infuse.datalab.indicators.cli import IndicatorActions
from infuse.datalab.ingest.cli import IngestActions
from infuse.datalab.recipes.cli import RecipeActions
from infuse.datalab.sql.cli import SqlActions


class Command(
    IngestActions, SqlActions, CatalogueActions, RecipeActions, IndicatorActions, LabCommand
):
    help = (
        "Data Lab tools: create, datasets, ingest, schema, recipe, sql, export, indicator, "
        "recompute, values, flag "
        "(`infuse data ACTION --help` for each)."
    )
