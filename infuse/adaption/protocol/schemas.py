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
    """The protocol's answers, in English (``hypotheses``…) and in Welsh (``hypotheses_cy``…);
    an amendment also says why (``reason``) and whether it allows the randomisation to be run
    again."""

    hypotheses: str = ""
    sample: str = ""  # who or what is studied, how many, and why that many
    stopping_rule: str = ""
    randomisation_method: str = ""
    randomisation_unit: str = ""
    analysis_plan: str = ""
    exclusions: str = ""
    missing_data: str = ""
    hypotheses_cy: str = ""
    sample_cy: str = ""
    stopping_rule_cy: str = ""
    randomisation_method_cy: str = ""
    randomisation_unit_cy: str = ""
    analysis_plan_cy: str = ""
    exclusions_cy: str = ""
    missing_data_cy: str = ""
    reason: str = ""  # needed for an amendment
    allows_rerandomisation: bool = False

    def answers(self) -> dict[str, str]:
        """The answers as registered (trimmed), without the amendment's reason: every English
        answer, and the Welsh ones given (an English-only protocol's content, and so its
        digest, is as it was before Welsh answers existed)."""
        english = {name: getattr(self, name).strip() for name in ANSWERS}
        welsh = {f"{name}_cy": getattr(self, f"{name}_cy").strip() for name in ANSWERS}
        return {**english, **{key: text for key, text in welsh.items() if text}}

    def answered(self, name: str) -> bool:
        """Whether the question has an answer in either language."""
        return bool(getattr(self, name).strip() or getattr(self, f"{name}_cy").strip())

    @classmethod
    def of(cls, protocol: Protocol) -> ProtocolIn:
        """A registered version's answers (the amendment page starts from them)."""
        content: dict[str, Any] = protocol.content
        keys = [*ANSWERS, *(f"{name}_cy" for name in ANSWERS)]
        return cls(**{key: content.get(key, "") for key in keys})


class ProtocolOut(ProtocolVersionOut):
    content: dict
