"""`infuse procurement …`: the Procurement Lab from the command line, through the same services
as the pages and the API (each slice's actions in its own ``cli.py``).

Every change is made as a named person (``--as EMAIL``) and audited as them; reading without
``--as`` shows what the public sees. Amounts are in pence; times in ISO 8601.
"""

from __future__ import annotations

from infuse.core.commands import LabCommand
from infuse.procurement.bids.cli import BidActions
from infuse.procurement.challenges.cli import ChallengeActions
from infuse.procurement.contracts.cli import ContractActions
from infuse.procurement.evaluation.cli import EvaluationActions
from infuse.procurement.ocds.cli import OcdsActions
from infuse.procurement.questions.cli import QuestionActions
from infuse.procurement.redflags.cli import FlagActions
from infuse.procurement.register.cli import RegisterActions
from infuse.procurement.social_value.cli import SocialValueActions
from infuse.procurement.spend.cli import SpendActions


class Command(
    ChallengeActions,
    QuestionActions,
    BidActions,
    EvaluationActions,
    ContractActions,
    SocialValueActions,
    RegisterActions,
    OcdsActions,
    SpendActions,
    FlagActions,
    LabCommand,
):
    help = (
        "Procurement Lab: list, show, create, publish, questions, ask, answer, "
        "bid, open, panel, declare, score, moderate, ranking, award, confirm, milestone, accept, "
        "pay, close, contract-cpv, social-value, report-social-value, register, feedback, ocds, "
        "new-key, rotate-keys, spend-map, spend, spend-matches, spend-decide, spend-merge, "
        "spend-split, spend-category, spend-draft, ocds-import, flags "
        "(`infuse procurement ACTION --help` for each)."
    )
