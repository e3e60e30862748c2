"""The national indicators and milestones for Wales, loaded from the Welsh Government's list.

Why a loader and no list in the code: the official list (its numbers, English and Welsh
names, and the goals each indicator serves) is the Welsh Government's to publish and revise
(it was revised in December 2021 and milestones were added in 2021 and 2022); the programme
loads the current one as a CSV, and a reload replaces it in one transaction, keeping the Data
Lab's links to indicators whose numbers stay.

Columns: ``kind`` (indicator or milestone), ``number``, ``name_en``, ``name_cy``, ``goals``
(goal codes separated by ";", indicators only), ``indicators`` (national indicator numbers
separated by ";", milestones only), ``target_year`` (milestones, optional).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import NationalIndicator, NationalMilestone, WellbeingGoal
from infuse.core.permissions import can

COLUMNS = ("kind", "number", "name_en", "name_cy", "goals", "indicators", "target_year")


@dataclass
class _Read:
    indicators: dict[int, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[int, dict[str, Any]] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    def refuse(self, row: int, message: str) -> None:
        self.problems.append(
            FieldProblem("file", _("Row %(row)s: %(problem)s") % {"row": row, "problem": message})
        )


def _numbers(text: str) -> list[int] | None:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else None


def _row(read: _Read, number: int, raw: dict[str, str], goals: set[str]) -> None:
    kind = (raw.get("kind") or "").strip().lower()
    names = {k: (raw.get(k) or "").strip() for k in ("name_en", "name_cy")}
    if not (raw.get("number") or "").strip().isdigit():
        read.refuse(number, _("the number must be a whole number, such as 12"))
        return
    if not names["name_en"] or not names["name_cy"]:
        read.refuse(number, _("give the name in English and in Welsh"))
        return
    key = int((raw["number"] or "").strip())
    if kind == "indicator":
        given = [g.strip() for g in (raw.get("goals") or "").split(";") if g.strip()]
        if unknown := sorted(set(given) - goals):
            read.refuse(
                number,
                _("%(codes)s is not a goal: use %(known)s")
                % {"codes": ", ".join(unknown), "known": ", ".join(sorted(goals))},
            )
        if key in read.indicators:
            read.refuse(number, _("indicator %(n)s appears twice") % {"n": key})
        read.indicators[key] = {**names, "goals": given}
    elif kind == "milestone":
        linked = _numbers(raw.get("indicators") or "")
        year = (raw.get("target_year") or "").strip()
        if linked is None or (year and not year.isdigit()):
            read.refuse(number, _("indicators are numbers separated by ; and the year a number"))
            return
        read.milestones[key] = {**names, "indicators": linked, "year": int(year) if year else None}
    else:
        read.refuse(number, _("kind must be indicator or milestone"))


def read_national(text: str) -> _Read:
    """The rows of the CSV, checked; every problem is named with its row."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))  # a BOM from Excel
    read = _Read()
    missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        read.problems.append(
            FieldProblem(
                "file",
                _("The file needs the columns %(columns)s; %(missing)s are missing")
                % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)},
            )
        )
        return read
    goals = set(WellbeingGoal.objects.values_list("code", flat=True))
    for number, raw in enumerate(reader, start=2):
        _row(read, number, raw, goals)
    for key, milestone in read.milestones.items():
        if unknown := sorted(set(milestone["indicators"]) - set(read.indicators)):
            read.problems.append(
                FieldProblem(
                    "file",
                    _("Milestone %(n)s names indicators the file does not have: %(numbers)s")
                    % {"n": key, "numbers": ", ".join(map(str, unknown))},
                )
            )
    if not read.indicators and not read.problems:
        read.problems.append(FieldProblem("file", _("The file has no national indicators")))
    return read


@dataclass(frozen=True)
class Loaded:
    indicators: int
    milestones: int


def load_national(*, actor: Any, text: str) -> Loaded:
    """Replace the national indicators and milestones with the file's (programme admins)."""
    if not can(actor, "core.load_reference"):
        raise PermissionDenied()
    read = read_national(text)
    if read.problems:
        raise InvalidInput(problems=read.problems)
    goals = {g.code: g for g in WellbeingGoal.objects.all()}
    with transaction.atomic():
        made: dict[int, NationalIndicator] = {}
        for key, row in read.indicators.items():
            indicator, _created = NationalIndicator.objects.update_or_create(
                number=key, defaults={"name_en": row["name_en"], "name_cy": row["name_cy"]}
            )
            indicator.goals.set([goals[g] for g in row["goals"]])
            made[key] = indicator
        NationalIndicator.objects.exclude(number__in=made).delete()
        for key, row in read.milestones.items():
            milestone, _created = NationalMilestone.objects.update_or_create(
                number=key,
                defaults={
                    "name_en": row["name_en"],
                    "name_cy": row["name_cy"],
                    "target_year": row["year"],
                },
            )
            milestone.indicators.set([made[n] for n in row["indicators"]])
        NationalMilestone.objects.exclude(number__in=read.milestones).delete()
        audit.record_event(
            actor=actor,
            action="reference.national_loaded",
            object_type="reference",
            object_id="national",
            after={"indicators": len(made), "milestones": len(read.milestones)},
        )
    return Loaded(len(made), len(read.milestones))
