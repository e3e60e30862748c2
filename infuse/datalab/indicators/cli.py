"""`infuse data indicator|recompute|values|flag`: define an indicator and compute it here, compute
indicators again, read their values (disclosure-controlled without ``--as``), and flag one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction, in_thread, read_json
from infuse.core.console import follow_progress
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.datalab.catalogue import exports
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.cli import write_output
from infuse.datalab.indicators import benchmarks, services
from infuse.datalab.indicators.metadata import areas_left_out
from infuse.datalab.indicators.schemas import FlagIn, IndicatorIn
from infuse.datalab.indicators.tasks import compute_indicator
from infuse.datalab.models import Indicator


class IndicatorActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        indicator = action("indicator", "Define an indicator and compute its values.")
        indicator.add_argument("dataset", help="The dataset's slug.")
        indicator.add_argument(
            "--spec", type=Path, required=True, help="The specification as JSON (see README)."
        )
        indicator.add_argument(
            "--benchmark",
            default="region",
            help="What each council is compared with: region (default), area:NAME (a row of "
            "the data, e.g. area:Wales), value:NUMBER, or group:SLUG (a saved group).",
        )
        indicator.add_argument("--title-en", required=True)
        indicator.add_argument("--title-cy", required=True)
        indicator.add_argument("--theme", action="append", default=[], help="Theme code.")
        indicator.add_argument("--goal", action="append", default=[], help="Goal code.")

        recompute = action(
            "recompute", "Compute indicators' values again on their latest versions."
        )
        recompute.add_argument("indicators", nargs="*", help="Indicators' slugs.")
        recompute.add_argument("--all", action="store_true", help="Every indicator you may change.")

        values = action("values", "An indicator's values (disclosure-controlled).", who="optional")
        values.add_argument("indicator", help="The indicator's slug.")
        values.add_argument("--format", choices=list(exports.FORMATS), default="csv")
        values.add_argument("--output", type=Path, help="File to write (default: stdout).")

        flag = action("flag", "Flag one value (provisional, …).")
        flag.add_argument("indicator", help="The indicator's slug.")
        flag.add_argument("--area", required=True, help="A council's GSS code, or 'region'.")
        flag.add_argument("--period", required=True)
        flag.add_argument(
            "--flag",
            required=True,
            help="provisional, estimated, suppressed, low_reliability, not_available, or '' "
            "to clear.",
        )

    def _indicator(self, person: Person, options: dict[str, Any]) -> None:
        dataset = catalogue.get_dataset(actor=person, slug=options["dataset"])
        specification = read_json(options["spec"])
        indicator = services.create_indicator(
            actor=person,
            dataset=dataset,
            indicator_in=IndicatorIn(
                title_en=options["title_en"],
                title_cy=options["title_cy"],
                specification=specification,
                benchmark=benchmark_option(options["benchmark"]),
                themes=options["theme"],
                goals=options["goal"],
            ),
        )
        assert indicator.progress_id is not None
        self._follow(indicator, indicator.progress_id)

    def _recompute(self, person: Person, options: dict[str, Any]) -> None:
        if options["all"] == bool(options["indicators"]):
            raise CommandError("Name the indicators to compute again, or give --all (not both).")
        if options["all"]:
            indicators = [
                indicator
                for indicator in Indicator.objects.select_related("dataset").order_by("slug")
                if can(person, "datalab.change_dataset", indicator.dataset)
            ]
        else:
            indicators = [
                catalogue.get_indicator(actor=person, slug=slug) for slug in options["indicators"]
            ]
        for indicator in indicators:
            progress = services.recompute_indicator(actor=person, indicator=indicator)
            self._follow(indicator, progress.pk)
        if not indicators:
            self.stdout.write("No indicators you may change.")

    def _follow(self, indicator: Indicator, progress_id: Any) -> None:
        """Compute in this process with a progress bar (the queued task then finds it done)."""
        pk = indicator.pk
        worker = in_thread(lambda: compute_indicator.call(pk, str(progress_id)))
        final = follow_progress(
            progress_id, f"Computing {indicator.slug}", still_running=worker.is_alive
        )
        worker.join()
        if final.state != final.State.SUCCEEDED:
            raise CommandError(f"{indicator.slug}: the computation failed: {final.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indicator {indicator.slug}: {indicator.values.count()} values "
                f"(/data/indicators/{indicator.slug}/)"
            )
        )
        self.stdout.write(
            _("Each council compared with: %(benchmark)s")
            % {"benchmark": benchmarks.name(indicator.benchmark, indicator.unit)}
        )
        indicator.refresh_from_db(fields=["excluded_areas"])
        left_out = areas_left_out(indicator.excluded_areas or {})
        if left_out:
            self.stdout.write(_("Areas in the data left out (not councils of the region):"))
            for line in left_out:
                self.stdout.write(f"  - {line}")

    def _values(self, actor: Any, options: dict[str, Any]) -> None:
        indicator = catalogue.get_indicator(actor=actor, slug=options["indicator"])
        content = services.values_file(
            actor=actor, indicator=indicator, file_format=options["format"]
        )
        write_output(content, options["output"])

    def _flag(self, person: Person, options: dict[str, Any]) -> None:
        indicator = catalogue.get_indicator(actor=person, slug=options["indicator"])
        area, period = options["area"], options["period"]
        value = services.value_at(actor=person, indicator=indicator, area=area, period=period)
        if value is None:
            raise CommandError(f"No value for {area} in {period}")
        services.set_value_flag(actor=person, value=value, flag_in=FlagIn(flag=options["flag"]))
        self.stdout.write(self.style.SUCCESS(f"Flag of {area}, {period} saved."))


def benchmark_option(text: str) -> dict[str, Any]:
    """``--benchmark`` as the service takes it: ``region``, ``area:Wales``, ``value:7.5`` or
    ``group:valleys`` (the service says what is wrong with a value it cannot use)."""
    kind, _colon, given = text.partition(":")
    kind = kind.strip().lower()
    field = {"area": "area", "value": "value", "group": "group"}.get(kind)
    return {"kind": kind, field: given.strip()} if field else {"kind": kind}
