"""A trial report: protocol, flow, results and decision, as a page and as a tagged PDF.

The page and the PDF share one template body, so they never disagree. The PDF is rendered
by WeasyPrint as PDF/UA-1 (tagged, with the document language and title), from a standalone
HTML document with its own print stylesheet.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from infuse.adaption.analysis.charts import council_forest, flow_svg
from infuse.adaption.analysis.result_words import shown_result
from infuse.adaption.models import AnalysisRun, Experiment
from infuse.adaption.protocol.content import answers_shown
from infuse.core.pdf import render_pdf


def report_context(actor: Any, experiment: Experiment) -> dict[str, Any]:
    """Everything the report shows, each part only if it exists yet."""
    protocol = experiment.latest_protocol
    run = (
        experiment.analyses.filter(state=AnalysisRun.State.DONE)
        .select_related("protocol", "dataset_version")
        .first()
    )
    result = shown_result(run)
    allocation = experiment.latest_allocation
    return {
        "experiment": experiment,
        "protocol": protocol,
        "answers": answers_shown(protocol.content) if protocol else [],
        "allocation": allocation,
        "counts": allocation.drawn.counts if allocation else {},
        "run": run,
        "result": result,
        "primary": result.primary if result else None,
        "flow_svg": flow_svg(result.flow) if result else "",
        "forest_svg": council_forest(result),
        "decision": experiment.decisions.first(),
        "outcomes": experiment.outcomes.select_related("dataset", "indicator"),
        "generated_at": timezone.now(),
    }


def report_pdf(actor: Any, experiment: Experiment, *, base_url: str) -> bytes:
    return render_pdf(
        "adaption/report_print.html",
        {**report_context(actor, experiment), "language": get_language() or "en"},
        base_url=base_url,
    )
