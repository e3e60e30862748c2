"""Demo trials for the Adaption Lab, made through the same services as people use.

A stepped-wedge roll-out of warm hubs across five councils, complete: registered, randomised,
data generated from a fixed seed (wellbeing scores that rise by about 2.5 points once a
council's hubs open), analysed and decided (scale). And a cluster trial of online booking for
bulky waste collections, registered, randomised and running, awaiting its data.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from infuse import stats
from infuse.adaption.analysis.schemas import AttachIn
from infuse.adaption.analysis.services import attach_data
from infuse.adaption.decisions.schemas import DecisionIn
from infuse.adaption.decisions.services import decide
from infuse.adaption.models import Experiment
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.protocol.services import register_protocol
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.randomisation.services import randomise
from infuse.adaption.registry.schemas import ExperimentIn, OutcomeIO
from infuse.adaption.registry.services import create_experiment, move, set_outcomes
from infuse.core import lazy
from infuse.core.models import Person
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.schemas import DatasetIn
from infuse.datalab.ingest import services as ingest
from infuse.datalab.models import Dataset
from infuse.demo.datalab import LOOP_INDICATOR

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy.module("numpy")

SEED = 20_261_130
WARM_HUBS = "community-warm-hubs-roll-out"
BULKY_WASTE = "online-booking-for-bulky-waste"
HUBS_LAUNCHED = dt.datetime(2023, 10, 2, 9, 0, tzinfo=dt.UTC)
HUB_COUNCILS = ["W06000019", "W06000024", "W06000016", "W06000018", "W06000020"]
WASTE_COUNCILS = ["W06000015", "W06000022", "W06000013", "W06000014", "W06000021", "W06000016"]

HUBS_PROTOCOL = {
    "hypotheses": (
        "Opening warm hubs raises adult wellbeing (WEMWBS) in winter by at least 2 points."
    ),
    "sample": "Five councils, 40 adults surveyed per council each quarter over six quarters; "
    "80% power for 2 points with ICC 0.02 (stepped-wedge design page).",
    "stopping_rule": "None: the roll-out completes in five steps.",
    "randomisation_method": "Random order of councils for a stepped-wedge roll-out, seeded.",
    "randomisation_unit": "Council",
    "analysis_plan": "Cluster-period means regressed on exposure with council and period "
    "fixed effects; CR2 standard errors by council.",
    "exclusions": "Responses from people under 18.",
    "missing_data": "Complete-case analysis of survey responses.",
}
WASTE_PROTOCOL = {
    "hypotheses": "Online booking raises the share of bulky waste collections booked without a "
    "phone call by 15 percentage points.",
    "sample": "Six councils, three per arm; all bookings over six months.",
    "stopping_rule": "Six months from launch.",
    "randomisation_method": "Cluster randomisation of councils, seeded.",
    "randomisation_unit": "Council",
    "analysis_plan": "Difference in the share booked online, CR2 standard errors by council, "
    "randomisation inference.",
    "exclusions": "Commercial collections.",
    "missing_data": "Bookings with no channel recorded are excluded and counted.",
}


def _hub_scores(allocation: stats.AllocationResult) -> bytes:
    """Survey rows: council, quarter, wellbeing; up 2.5 points once the council's hubs open."""
    rng = np.random.default_rng(SEED)
    schedule = dict(zip(allocation.unit_ids, allocation.schedule or (), strict=True))
    out = io.StringIO()
    out.write("council,quarter,wellbeing\n")
    for council, row in schedule.items():
        level = rng.normal(48, 1.5)  # each council's own baseline
        for period, exposed in enumerate(row):
            for _ in range(40):
                score = level + 0.3 * period + 2.5 * exposed + rng.normal(0, 7)
                out.write(f"{council},Q{period + 1},{min(70, max(14, score)):.1f}\n")
    return out.getvalue().encode()


def _registered(
    person: Person,
    entry: ExperimentIn,
    outcome: str,
    protocol: dict[str, str],
    secondary: tuple[OutcomeIO, ...] = (),
) -> Experiment:
    """An experiment added, its outcomes named, designed and its protocol registered."""
    experiment = create_experiment(actor=person, experiment_in=entry)
    set_outcomes(
        actor=person,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name=outcome), *secondary],
    )
    move(actor=person, experiment=experiment, transition="design")
    register_protocol(
        actor=person, experiment=experiment, protocol_in=ProtocolIn.model_validate(protocol)
    )
    return experiment


def _hub_survey(person: Person, hubs: Experiment, drawn: stats.AllocationResult) -> Dataset:
    """The wellbeing survey of the warm hubs' councils, as a Data Lab dataset (its scores made
    from the roll-out's allocation)."""
    dataset = Dataset.objects.filter(title_en="Warm hub wellbeing survey").first()
    if dataset is None:
        dataset = catalogue.create_dataset(
            actor=person,
            dataset_in=DatasetIn(
                title_en="Warm hub wellbeing survey",
                title_cy="Arolwg llesiant hybiau cynnes",
                publisher=hubs.owner.slug,
                visibility="region",
                themes=["improving-public-health"],
                goals=["healthier"],
            ),
        )
    ingest.upload_file(
        actor=person,
        dataset=dataset,
        chunks=[_hub_scores(drawn)],
        original_name="warm-hub-wellbeing.csv",
    )
    return dataset


def _warm_hubs(person: Person, run_tasks: Callable[[], None]) -> None:
    """The stepped wedge: randomised, launched, data attached and analysed, decided (scale)."""
    hubs = _registered(
        person,
        ExperimentIn(
            title_en="Community warm hubs roll-out",
            title_cy="Cyflwyno hybiau cynnes cymunedol",
            owner="ccr-programme",
            design="stepped_wedge",
            problem_en="Cold homes harm older residents' health and wellbeing every winter.",
            problem_cy="Mae cartrefi oer yn niweidio iechyd a llesiant preswylwyr hŷn bob gaeaf.",
            hypothesis_en="Warm hubs raise adult wellbeing in winter.",
            hypothesis_cy="Mae hybiau cynnes yn codi llesiant oedolion yn y gaeaf.",
            intervention_en="Libraries and community centres open as warm hubs with activities.",
            intervention_cy="Llyfrgelloedd a chanolfannau cymunedol yn agor fel hybiau cynnes.",
            councils=HUB_COUNCILS,
            themes=["improving-public-health", "transforming-communities"],
            goals=["healthier", "cohesive-communities"],
            ways_of_working={
                "prevention": "Acts before cold weather turns into illness.",
                "collaboration": "Five councils and the health board deliver it together.",
            },
            public=True,
        ),
        "Adult wellbeing (WEMWBS)",
        HUBS_PROTOCOL,
        # The loop: the hubs host link workers, so the region's social prescribing indicator
        # is measured too (and the indicator's page lists the experiment).
        secondary=(
            OutcomeIO(
                kind="secondary",
                name="Social prescribing referrals per 1,000 adults",
                indicator=LOOP_INDICATOR,
            ),
        ),
    )
    allocation = randomise(
        actor=person, experiment=hubs, randomise_in=RandomiseIn(seed=SEED, n_steps=5)
    )
    move(actor=person, experiment=hubs, transition="launch")
    # The demo's history (nothing else is set outside the services): the hubs opened in the
    # autumn of 2023, so the indicator's trend shows the roll-out inside its periods.
    Experiment.objects.filter(pk=hubs.pk).update(launched_at=HUBS_LAUNCHED)
    dataset = _hub_survey(person, hubs, allocation.drawn)
    run_tasks()
    attach_data(
        actor=person,
        experiment=hubs,
        attach_in=AttachIn(
            dataset=dataset.slug, outcome="wellbeing", cluster="council", period="quarter"
        ),
    )
    run_tasks()
    hubs.refresh_from_db()
    move(actor=person, experiment=hubs, transition="analyse")
    decide(
        actor=person,
        experiment=hubs,
        decision_in=DecisionIn(
            choice="scale",
            rationale="Wellbeing rose by about 2.5 points once hubs opened, in every "
            "council; the interval excludes no effect. Roll out to the other five councils.",
            cost_per_unit_pence=1_850,
            cost_unit="per resident reached",
        ),
    )


def _bulky_waste(person: Person) -> None:
    """The cluster trial: randomised and running, awaiting its data."""
    waste = _registered(
        person,
        ExperimentIn(
            title_en="Online booking for bulky waste",
            title_cy="Archebu ar-lein ar gyfer gwastraff swmpus",
            owner="ccr-programme",
            design="cluster_rct",
            problem_en="Phone bookings for bulky waste collections are slow and costly.",
            problem_cy="Mae archebu casgliadau gwastraff swmpus dros y ffôn yn araf ac yn ddrud.",
            hypothesis_en="An online booking service moves most bookings online.",
            hypothesis_cy=(
                "Mae gwasanaeth archebu ar-lein yn symud y rhan fwyaf o archebion ar-lein."
            ),
            intervention_en="A bilingual online booking form with payment.",
            intervention_cy="Ffurflen archebu ar-lein ddwyieithog gyda thaliad.",
            councils=WASTE_COUNCILS,
            themes=["decarbonisation", "transforming-communities"],
            goals=["prosperous", "globally-responsible"],
            public=True,
        ),
        "Share of bookings made online",
        WASTE_PROTOCOL,
    )
    randomise(actor=person, experiment=waste, randomise_in=RandomiseIn(seed=SEED + 1))
    move(actor=person, experiment=waste, transition="launch")


def load_demo_trials(run_tasks: Callable[[], None], report: Callable[[str], None]) -> None:
    """Create the two demo trials if they are not there yet."""
    person = Person.objects.get(email="data@infuse.example")
    if not Experiment.objects.filter(slug=WARM_HUBS).exists():
        report("Adaption Lab: community warm hubs (stepped wedge, decided)")
        _warm_hubs(person, run_tasks)
    if not Experiment.objects.filter(slug=BULKY_WASTE).exists():
        report("Adaption Lab: online booking for bulky waste (cluster trial, running)")
        _bulky_waste(person)
