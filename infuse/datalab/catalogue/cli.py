"""`infuse data create|datasets|export`: add a catalogue entry (from flags or a JSON file, as the
API takes it), list the datasets you may see, and write a version (or the rows it quarantined)
as csv, xlsx, json or parquet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction, read_json
from infuse.core.models import Organisation
from infuse.core.permissions import data_organisations
from infuse.datalab.catalogue import exports, services
from infuse.datalab.catalogue.schemas import CatalogueQuery, DatasetIn, DatasetOut

#: Catalogue fields given as flags (``--title-en``…, as the entry's own columns); the rest
#: come from ``--from FILE``.
TEXT_FLAGS = services.ENTRY_FIELDS
LIST_FLAGS = ("themes", "goals", "councils")


def write_output(content: bytes, output: Path | None) -> None:
    """Write ``content`` to the file ``output``, or to standard output when there is none."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)


class CatalogueActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        create = action("create", "Add a dataset to the catalogue (the API's fields).")
        create.add_argument(
            "--from",
            dest="entry_file",
            type=Path,
            help="A JSON file of catalogue fields, as the API's POST /datasets takes them.",
        )
        for name in TEXT_FLAGS:
            create.add_argument("--" + name.replace("_", "-"), dest=name)
        create.add_argument(
            "--publisher",
            help="The organisation's slug (default: the one you publish data for, if only one).",
        )
        for name in LIST_FLAGS:
            create.add_argument("--" + name, nargs="+", help=f"Codes of {name}.")
        create.add_argument("--json", action="store_true", help="Print the entry as the API does.")

        datasets = action("datasets", "List the datasets you may see.", who="optional")
        datasets.add_argument("--search", default="", help="Words in the title or description.")
        datasets.add_argument("--theme", default="", help="A theme's code.")
        datasets.add_argument("--goal", default="", help="A well-being goal's code.")
        datasets.add_argument("--council", default="", help="A council's GSS code.")
        datasets.add_argument("--json", action="store_true", help="Print them as the API does.")

        export = action("export", "Write a version as csv, xlsx, json or parquet.", who="optional")
        export.add_argument("dataset", help="The dataset's slug.")
        export.add_argument("--version", type=int, help="The version (default: the latest).")
        export.add_argument(
            "--quarantine",
            action="store_true",
            help="The rows the version quarantined instead (its publisher's data people only).",
        )
        export.add_argument("--format", choices=list(exports.FORMATS), default="csv")
        export.add_argument("--output", type=Path, help="File to write (default: stdout).")

    def _create(self, actor: Any, options: dict[str, Any]) -> None:
        entry: dict[str, Any] = {}
        if options["entry_file"]:
            entry = read_json(options["entry_file"])
            if not isinstance(entry, dict):
                raise CommandError(_("The file must hold one JSON object of catalogue fields."))
        for name in (*TEXT_FLAGS, *LIST_FLAGS, "publisher"):
            if options.get(name) is not None:
                entry[name] = options[name]
        if "publisher" not in entry:
            entry["publisher"] = _only_publisher(actor)
        dataset = services.create_dataset(actor=actor, dataset_in=DatasetIn(**entry))
        if options["json"]:
            self.write_json(DatasetOut.of(dataset))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Dataset %(slug)s added: %(title)s.")
                % {"slug": dataset.slug, "title": dataset.title}
            )
        )
        self.stdout.write(
            _("Next: infuse data ingest FILE --dataset %(slug)s --as %(email)s")
            % {"slug": dataset.slug, "email": actor.email}
        )

    def _datasets(self, actor: Any, options: dict[str, Any]) -> None:
        query = CatalogueQuery(
            text=options["search"],
            theme=options["theme"],
            goal=options["goal"],
            council=options["council"],
        )
        found = (
            services.search_datasets(actor, query)
            .select_related("publisher")
            .prefetch_related("versions")
        )
        if options["json"]:
            entries = found.prefetch_related("themes", "goals", "councils")
            self.write_json([DatasetOut.of(d) for d in entries])
            return
        shown = 0
        for dataset in found:
            version = max(dataset.versions.all(), key=lambda v: v.number, default=None)
            held = (
                _("version %(number)s, %(rows)s rows")
                % {"number": version.number, "rows": f"{version.row_count:,}"}
                if version
                else _("no data yet")
            )
            self.stdout.write(
                f"{dataset.slug}  {dataset.title}  ({dataset.publisher.name}; {held})"
            )
            shown += 1
        if not shown:
            self.stdout.write(_("No datasets match."))

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        dataset = services.get_dataset(actor=actor, slug=options["dataset"])
        number = options["version"] or (
            dataset.latest_version.number if dataset.latest_version else 0
        )
        fetch = services.download_quarantine if options["quarantine"] else services.download_version
        download = fetch(actor=actor, dataset=dataset, number=number, file_format=options["format"])
        with download.handle as handle:
            write_output(handle.read(), options["output"])


def _only_publisher(actor: Any) -> str:
    """The organisation ``actor`` publishes data for when there is one; else say which to
    choose from (the service refuses an organisation they do not publish for)."""
    publishers = list(
        Organisation.objects.filter(pk__in=data_organisations(actor)).values_list("slug", flat=True)
    )
    if len(publishers) == 1:
        return publishers[0]
    if not publishers:
        raise CommandError(_("You do not publish data for any organisation."))
    raise CommandError(
        _("Choose the publisher with --publisher: one of %(choices)s.")
        % {"choices": ", ".join(sorted(publishers))}
    )
