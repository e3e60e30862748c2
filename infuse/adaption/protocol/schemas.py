"""Input and output of the protocol's use cases: registering it and amending it."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from infuse.adaption.models import Protocol
from infuse.adaption.registry.schemas import ProtocolVersionOut

# The protocol's questions, modelled on the AEA RCT Registry and OSF preregistration.
ANSWERS = (
    "hypotheses",
    "sample",
    "stopping_rule",
    "randomisation_method",
    "randomisation_unit",
    "analysis_plan",
    "exclusions",
    "missing_data",
)


class ProtocolIn(Schema):
    """The protocol's answers; an amendment also says why (``reason``) and whether it allows
    the randomisation to be run again."""

    hypotheses: str = ""
    sample: str = ""  # who or what is studied, how many, and why that many
    stopping_rule: str = ""
    randomisation_method: str = ""
    randomisation_unit: str = ""
    analysis_plan: str = ""
    exclusions: str = ""
    missing_data: str = ""
    reason: str = ""  # needed for an amendment
    allows_rerandomisation: bool = False

    def answers(self) -> dict[str, str]:
        """The answers as registered (trimmed), without the amendment's reason."""
        return {name: getattr(self, name).strip() for name in ANSWERS}

    @classmethod
    def of(cls, protocol: Protocol) -> ProtocolIn:
        """A registered version's answers (the amendment page starts from them)."""
        content: dict[str, Any] = protocol.content
        return cls(**{name: content.get(name, "") for name in ANSWERS})


class ProtocolOut(ProtocolVersionOut):
    content: dict
