"""The what-works page: the region's evidence, filtered by goal, theme, council and design."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from infuse.adaption.analysis.charts import forest_svg
from infuse.adaption.analysis.result_words import effect_sentence
from infuse.adaption.analysis.results import NamedEffect
from infuse.adaption.models import Design
from infuse.core.models import Council, Theme, WellbeingGoal
from infuse.region.whatworks import services
from infuse.region.whatworks.schemas import EvidenceQuery
from infuse.region.work import CODE


@require_GET
def what_works(request: HttpRequest) -> HttpResponse:
    # Codes only: anything else in a filter (a NUL byte, text) is no filter at all.
    query = EvidenceQuery(
        **{k: v for k in EvidenceQuery.model_fields if CODE.fullmatch(v := request.GET.get(k, ""))}
    )
    found = services.what_works(actor=request.user, query=query)
    forests = [
        forest_svg(
            [
                NamedEffect(name=row.experiment.title, effect=row.primary)
                for row in group.rows
                if row.primary
            ],
            group.overall,
            label=group.outcome,
            ident=f"pooled-{number}",
            title=_("Effect of each experiment on %(outcome)s, and pooled")
            % {"outcome": group.outcome},
            description=_(
                "Each experiment's effect with its %(level)s confidence interval, and the "
                "pooled effect of all of them (random effects); the vertical line is no "
                "effect. The same numbers are in the table below."
            )
            % {"level": "95%"},
            overall_name=_("Pooled"),
        )
        for number, group in enumerate(found.pooled)
    ]
    return render(
        request,
        "region/what_works.html",
        {
            "rows": [
                (row, effect_sentence(row.result) if row.result else "") for row in found.rows
            ],
            "pooled": list(zip(found.pooled, forests, strict=True)),
            "contracts": found.contracts,
            "query": query,
            "goals": WellbeingGoal.objects.all(),
            "themes": Theme.objects.all(),
            "councils": Council.objects.all(),
            "designs": Design.choices,
        },
    )
