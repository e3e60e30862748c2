"""The red flags as the API gives them (and the command line prints them)."""

from __future__ import annotations

from infuse.procurement.models import RedFlag
from infuse.procurement.redflags import services
from infuse.procurement.redflags.schemas import DefinitionOut, FlagOut, ImportOut
from infuse.procurement.redflags.words import FLAGS, REASONS


def summary(found: services.ImportSummary) -> ImportOut:
    return ImportOut(
        releases=found.releases,
        new_releases=found.new_releases,
        processes=found.processes,
        refused=found.refused,
        first_refusals=found.first_refusals,
        raised=RedFlag.objects.filter(state=RedFlag.State.FIRES).count(),
    )


def flag(found: RedFlag) -> FlagOut:
    return FlagOut(
        id=found.pk,
        code=found.code,
        name=str(FLAGS[found.code].name),
        subject=found.subject,
        subject_name=found.subject_name,
        state=found.state,
        state_name=str(found.get_state_display()),
        value=found.value,
        evidence=found.evidence,
        reason=str(REASONS.get(found.reason, "")),
        processes=[p.ocid for p in found.processes.all()],
    )


def definitions() -> list[DefinitionOut]:
    counts = services.counts()
    limits = services.thresholds()
    return [
        DefinitionOut(
            code=code,
            name=str(words.name),
            definition=str(words.definition),
            threshold=words.threshold(limits),
            needs=list(words.needs),
            about=words.about,
            counts=counts.get(code, {}),
        )
        for code, words in FLAGS.items()
    ]
