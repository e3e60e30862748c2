"""The home page's live figures: open challenges, the latest findings, the Challenge Fund,
indicators that moved, and new datasets — each as the reader may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infuse.adaption.analysis.results import AnalysisResult
from infuse.adaption.decisions.evidence import latest_findings
from infuse.datalab.catalogue.services import visible_datasets
from infuse.datalab.indicators.trends import Movement, moved_indicators
from infuse.fund.services import totals
from infuse.procurement.challenges.services import open_phases


@dataclass(frozen=True)
class Dashboard:
    open_phases: list[Any]
    findings: list[tuple[Any, AnalysisResult]]
    fund: Any
    moved: list[Movement]
    datasets: list[Any]

    @property
    def fund_left_pence(self) -> int:
        """What the fund has not yet allocated to a challenge."""
        return self.fund.total_pence - self.fund.allocated_pence if self.fund else 0


def dashboard(*, actor: Any) -> Dashboard:
    return Dashboard(
        open_phases=open_phases(actor),
        findings=latest_findings(actor),
        fund=totals(),
        moved=moved_indicators(actor),
        datasets=list(visible_datasets(actor).order_by("-created_at")[:5]),
    )
