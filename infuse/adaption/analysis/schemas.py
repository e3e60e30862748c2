"""Input and output of the analysis's use cases: attaching outcome data (and running the
registered analysis), and reading the latest analysis."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from infuse.adaption.analysis.results import result_of
from infuse.adaption.models import AnalysisRun


class AttachIn(Schema):
    """Which Data Lab dataset holds the outcomes, and which of its columns hold what."""

    dataset: str
    outcome: str
    unit: str = ""
    arm: str = ""
    cluster: str = ""
    period: str = ""
    secondary: list[str] = []
    covariates: list[str] = []
    start: str = ""  # quasi-experiments: the first period (a number) under the intervention

    def mapping(self) -> dict[str, Any]:
        """The columns as the analysis keeps them (those given; not the dataset)."""
        return {k: v for k, v in self.model_dump().items() if k != "dataset" and v}


class AnalysisOut(Schema):
    id: int
    state: str
    protocol_version: int
    dataset_version: int
    mapping: dict
    result: dict
    deviations: list[dict]
    error: str
    progress_id: str | None

    @classmethod
    def of(cls, run: AnalysisRun) -> AnalysisOut:
        return cls(
            id=run.pk,
            state=run.state,
            protocol_version=run.protocol.version,
            dataset_version=run.dataset_version.number,
            mapping=run.mapping,
            result=result.to_json() if (result := result_of(run)) else {},
            deviations=run.deviations,
            error=run.error_text,
            progress_id=str(run.progress_id) if run.progress_id else None,
        )
