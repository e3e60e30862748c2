"""`infuse procurement report-social-value MILESTONE`: a supplier's report at a milestone of
what its work delivered on each social value target."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction
from infuse.core.lookups import find
from infuse.core.models import Person
from infuse.procurement.models import Milestone
from infuse.procurement.social_value import services
from infuse.procurement.social_value.quantities import quantity_of
from infuse.procurement.social_value.schemas import ReportIn, ReportLineIn


def _pairs(given: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in given:
        code, separator, value = item.partition("=")
        if not separator or not code.strip():
            raise CommandError(
                _("Write %(flag)s as MEASURE=VALUE, like local-jobs=2") % {"flag": flag}
            )
        pairs[code.strip()] = value
    return pairs


class SocialValueActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        report = action("report-social-value", "Report what a milestone's work delivered.")
        report.add_argument("milestone", type=int)
        report.add_argument(
            "--delivered",
            action="append",
            default=[],
            metavar="MEASURE=QUANTITY",
            help="What was delivered on one target (repeat for each).",
        )
        report.add_argument(
            "--evidence",
            action="append",
            default=[],
            metavar="MEASURE=TEXT",
            help="How it can be checked (needed for each quantity above 0).",
        )

    def _report_social_value(self, actor: Person, options: dict[str, Any]) -> None:
        delivered = _pairs(options["delivered"], "--delivered")
        evidence = _pairs(options["evidence"], "--evidence")
        lines = []
        for code, typed in delivered.items():
            try:
                quantity = quantity_of(typed)
            except ValueError:
                raise CommandError(
                    _("‘%(value)s’ is not a quantity for %(code)s: give a number like 12.5")
                    % {"value": typed, "code": code}
                ) from None
            lines.append(
                ReportLineIn(measure=code, delivered=quantity, evidence=evidence.get(code, ""))
            )
        services.report_delivery(
            actor=actor,
            milestone=find(Milestone, options["milestone"]),
            report_in=ReportIn(lines=lines),
        )
        self.stdout.write(self.style.SUCCESS(_("Social value reported")))
