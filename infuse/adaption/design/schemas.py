"""Input and output of the design's use cases: working out a randomised design's power, size
or smallest detectable effect (and keeping it), and planning a quasi-experiment from its
outcome's past. The design page's forms, the API and the CLI all build these."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

from infuse.core.bounds import Count, Number


class DesignIn(Schema):
    """The design page's inputs (randomised designs); ``save`` keeps the answer with the
    experiment. ``size`` is people per arm, councils per arm, or people per council in each
    period, as the design counts it."""

    outcome: Literal["continuous", "binary"] = "continuous"
    solve_for: Literal["power", "size", "effect"] = "size"
    alpha: Number = 0.05
    power: Number | None = 0.8
    effect: Number | None = None  # difference in means (continuous)
    sd: Number | None = None  # outcome standard deviation (continuous)
    p_control: Number | None = None  # binary
    p_treatment: Number | None = None  # binary
    size: Number | None = None
    cluster_size: Number | None = None  # cluster trials: people per council
    icc: Number | None = None  # cluster trials and stepped wedge
    n_steps: Count | None = None  # stepped wedge
    save: bool = False

    def inputs(self) -> dict[str, Any]:
        """The inputs as kept with the experiment (those given; not whether to keep them)."""
        return self.model_dump(exclude_none=True, exclude={"save"})


class DesignOut(Schema):
    result: dict
    size_label: str
    curve: list[list[float]]
    schedule: list[list[int]]
    saved: bool


class HistoryPlanIn(Schema):
    """Planning a quasi-experiment from its outcome's past (placebo trials). The columns are
    needed only when the outcome is a dataset's column; ``effects`` (in the outcome's units)
    empty means multiples of how much the outcome varies by itself."""

    council_column: str = ""
    period_column: str = ""
    post_periods: Count = 4
    effects: list[Number] = Field(default=[], max_length=20)
    alpha: Number = 0.05
    power: Number = 0.8


class QueuedOut(Schema):
    progress_id: str
