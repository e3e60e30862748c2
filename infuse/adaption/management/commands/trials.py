"""`infuse trials …`: the Adaption Lab from the command line, through the same services.

Every change is made as a named person (``--as EMAIL``) and audited as them; reading without
``--as`` shows what the public sees. Each slice declares and does its own actions.
"""

from infuse.adaption.analysis.cli import AnalysisActions
from infuse.adaption.decisions.cli import DecisionActions
from infuse.adaption.design.cli import DesignActions
from infuse.adaption.protocol.cli import ProtocolActions
from infuse.adaption.randomisation.cli import RandomisationActions
from infuse.adaption.registry.cli import RegistryActions
from infuse.core.commands import LabCommand


class Command(
    RegistryActions,
    DesignActions,
    ProtocolActions,
    RandomisationActions,
    AnalysisActions,
    DecisionActions,
    LabCommand,
):
    help = (
        "Adaption Lab tools: list, show, create, outcomes, move, design, protocol, randomise, "
        "allocation, analyse, decide, scale-up, report (`infuse trials ACTION --help` for each)."
    )
