"""Background work of the Data Lab: ingesting an upload into an immutable version.

The steps run outside any database transaction (they can take minutes), writing only into a
private work directory; the version row is created at the very end, in one short transaction,
after its Parquet files are complete and stored by content hash. A failure or a killed worker
therefore leaves the upload marked failed (or still "processing") and no version behind. A new
version queues the dataset's indicators again (the indicators slice sits below this one).
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import asdict, dataclass, is_dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.urls import get_resolver
from django.utils import timezone
from django.utils.translation import gettext_noop

from infuse import analytics
from infuse.core import audit, files
from infuse.core.models import Council, TaskProgress
from infuse.core.progress import ProgressReporter
from infuse.core.sandbox import Limits
from infuse.datalab import followers
from infuse.datalab.indicators.tasks import queue_indicator
from infuse.datalab.ingest.convert import ConversionResult
from infuse.datalab.ingest.isolated import convert_isolated
from infuse.datalab.ingest.sources import IngestError, ReadOptions
from infuse.datalab.ingest.validation import (
    ValidationReport,
    split_valid_rows,
    validate_parquet,
)
from infuse.datalab.models import DatasetUpload, DatasetVersion, ValidationPolicy
from infuse.datalab.recipes.shaping import shape

logger = logging.getLogger(__name__)


def ingest_limits() -> Limits:
    """The operating system's limits on reading one upload, from the settings."""
    return Limits.for_engine(
        seconds=settings.INGEST_TIMEOUT_SECONDS,
        memory_mb=settings.SANDBOX_MEMORY_MB,
        output_mb=settings.INGEST_MAX_OUTPUT_MB,
    )


def _read_options(upload: DatasetUpload) -> ReadOptions:
    options = dict(upload.read_options)
    if "sheet" in options and str(options["sheet"]).isdigit():
        options["sheet"] = int(options["sheet"])
    return ReadOptions(format=cast(Any, upload.file_format or None), **options)


def _plain(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def validation_summary(validation: ValidationReport) -> dict[str, Any]:
    """What the upload page shows: counts, and each (column, problem) group with examples."""
    return {
        "row_count": validation.row_count,
        "invalid_rows": validation.invalid_row_count,
        "total_problems": validation.problem_count,
        "groups": [
            {
                "column": group.column,
                "key": group.key,
                "count": group.count,
                "params": group.examples[0].params if group.examples else {},
                "examples": [{"row": p.row, "value": p.value} for p in group.examples],
            }
            for group in validation.groups
        ],
    }


def _fail(
    upload: DatasetUpload,
    reporter: ProgressReporter,
    status: str,
    key: str,
    params: dict[str, Any],
    detail: str,
    report: dict[str, Any] | None = None,
) -> None:
    with transaction.atomic():
        upload.status = status
        upload.error_key = key
        upload.error_params = {k: str(v) for k, v in params.items()}
        upload.error_detail = detail
        if report is not None:
            upload.report = report
        upload.save(update_fields=["status", "error_key", "error_params", "error_detail", "report"])
        audit.record_event(
            actor=upload.created_by,
            action=f"dataset.upload_{status}",
            obj=upload,
            after={"key": key},
        )
    reporter.fail(detail)


MAX_INGEST_ATTEMPTS = 3


def recover_interrupted_uploads(
    *, stale_after: float | None = None, upload_id: Any = None
) -> list[str]:
    """Queue again the uploads whose worker died mid-ingest; returns their ids.

    An ingest beats its heart through its progress row. One still "processing" with no beat for
    ``stale_after`` seconds (``INGEST_STALE_SECONDS``) lost its worker: nothing of it is visible
    (the version row is only written at the end), so it is simply queued again, and after
    ``MAX_INGEST_ATTEMPTS`` claims marked failed so a file that kills workers cannot loop.
    """
    seconds = settings.INGEST_STALE_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stale = DatasetUpload.objects.filter(status=DatasetUpload.Status.PROCESSING).filter(
        Q(progress__updated_at__lte=cutoff) | Q(progress__isnull=True, created_at__lte=cutoff)
    )
    if upload_id is not None:
        stale = stale.filter(pk=upload_id)
    recovered = []
    for upload in stale.select_related("progress"):
        reporter = ProgressReporter(upload.progress_id)
        if upload.attempts >= MAX_INGEST_ATTEMPTS:
            with transaction.atomic():
                if not DatasetUpload.objects.filter(
                    pk=upload.pk, status=DatasetUpload.Status.PROCESSING
                ).update(status=DatasetUpload.Status.QUEUED):
                    continue
            upload.status = DatasetUpload.Status.QUEUED
            _fail(
                upload,
                reporter,
                DatasetUpload.Status.FAILED,
                "ingest.interrupted",
                {"attempts": upload.attempts},
                f"The ingest was interrupted {upload.attempts} times",
            )
            continue
        with transaction.atomic():
            # Only one recoverer wins: the update is conditional on the state it saw.
            if not DatasetUpload.objects.filter(
                pk=upload.pk, status=DatasetUpload.Status.PROCESSING
            ).update(status=DatasetUpload.Status.QUEUED):
                continue
            if upload.progress_id:
                TaskProgress.objects.filter(pk=upload.progress_id).update(
                    state=TaskProgress.State.QUEUED,
                    message=gettext_noop("Interrupted; queued again"),
                    done=0,
                    updated_at=timezone.now(),
                )
            audit.record_event(
                actor=None,
                action="dataset.upload_interrupted",
                obj=upload,
                after={"attempts": upload.attempts},
            )
            transaction.on_commit(partial(ingest_upload.enqueue, str(upload.pk)))
        recovered.append(str(upload.pk))
    return recovered


@task()
def ingest_upload(upload_id: str) -> dict[str, Any]:
    """Convert, validate and store one upload; create its version if it is accepted."""
    upload = DatasetUpload.objects.select_related("dataset", "progress").get(pk=upload_id)
    reporter = ProgressReporter(upload.progress_id)
    # Claim the upload atomically: whoever moves it from queued to processing does the work
    # (the worker, or the CLI running it in the foreground); anyone else leaves it alone.
    claimed = DatasetUpload.objects.filter(pk=upload.pk, status=DatasetUpload.Status.QUEUED).update(
        status=DatasetUpload.Status.PROCESSING, attempts=F("attempts") + 1
    )
    if not claimed:
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Reading the file"))
    work = files.work_dir()
    try:
        return _ingest(upload, reporter, work)
    except IngestError as error:
        _fail(
            upload,
            reporter,
            DatasetUpload.Status.REJECTED,
            error.key,
            error.params,
            str(error),
            {"problems": error.problems[:100]},
        )
        return {"status": "rejected", "key": error.key}
    except Exception as error:
        logger.exception("Ingest of upload %s failed", upload.pk)
        _fail(
            upload,
            reporter,
            DatasetUpload.Status.FAILED,
            "ingest.internal-error",
            {},
            f"{type(error).__name__}: {error}",
        )
        return {"status": "failed"}
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class _Checked:
    """The rows to keep after the declared schema's check, and what was set aside.

    ``rejected_key`` is set when the whole file was rejected (the upload is marked so)."""

    parquet: Path
    quarantine_path: str = ""  # the stored quarantined rows, relative to the file store
    quarantined: int = 0
    rejected_key: str = ""


def _load_ahead() -> None:
    """Load the URL map (for the owner's message) while the sandbox's child converts: this
    process only waits meanwhile, and in a fresh process (``infuse data ingest``) loading it
    took 0.3 s."""
    try:
        get_resolver().url_patterns  # noqa: B018 - importing the URL map is the point
    except Exception:  # only a head start: the step that needs it loads it anyway
        logger.exception("Loading ahead for the ingest failed")


def _ingest(upload: DatasetUpload, reporter: ProgressReporter, work: Path) -> dict[str, Any]:
    ahead = threading.Thread(target=_load_ahead, name="ingest-load-ahead", daemon=True)
    ahead.start()
    options = _read_options(upload)
    converted = convert_isolated(
        files.resolve(upload.raw_path),
        work,
        options=options,
        limits=ingest_limits(),
        progress=lambda done, total: reporter.advance(
            done, total, gettext_noop("Converting to Parquet")
        ),
        profiling=lambda: reporter.advance(0, None, gettext_noop("Profiling the columns")),
    )
    conversion = converted.conversion
    report: dict[str, Any] = {
        "conversion": {
            "row_count": conversion.row_count,
            "warnings": [_plain(w) for w in conversion.warnings],
        }
    }
    checked = _check(upload, reporter, work, Path(conversion.path), report)
    if checked.rejected_key:
        return {"status": "rejected", "key": checked.rejected_key}
    profile = converted.profile
    if checked.quarantined:
        # The version keeps the valid rows only: profile them (with the conversion's ceiling
        # on memory, so a large file cannot take the machine).
        reporter.advance(0, None, gettext_noop("Profiling the columns"))
        profile = analytics.profile_parquet(
            checked.parquet,
            memory_limit=options.duckdb_memory_limit,
            temp_directory=work / "spill",
        ).to_json()
    stored = files.store_file(checked.parquet, kind="parquet", suffix=".parquet")
    recipe = list(upload.dataset.recipe)
    shaped: dict[str, Any] = {}
    if recipe:
        # The dataset's recipe shapes the new version too; a file that no longer fits it (a
        # column renamed, a title without the year) is kept, and the report says why not.
        reporter.advance(0, None, gettext_noop("Applying the recipe"))
        shaped = shape(files.resolve(stored.relative_path), recipe, conversion.title_lines)
        report["recipe"] = {"steps": len(recipe), "problems": shaped.get("problems", [])}
    version = _create_version(
        upload, conversion, stored.relative_path, checked, profile, report, (recipe, shaped)
    )
    reporter.succeed(
        {"version": version.number, "rows": version.row_count, "quarantined": checked.quarantined}
    )
    return {"status": "accepted", "version": version.number}


def _check(
    upload: DatasetUpload,
    reporter: ProgressReporter,
    work: Path,
    parquet: Path,
    report: dict[str, Any],
) -> _Checked:
    """Check the rows against the dataset's declared schema (if any), adding the validation to
    ``report``: reject the file, or set invalid rows aside, as the dataset's policy says."""
    dataset = upload.dataset
    if not dataset.declared_schema:
        return _Checked(parquet)
    reporter.advance(0, None, gettext_noop("Checking against the declared schema"))
    councils = [
        (gss, en, cy or en)
        for gss, en, cy in Council.objects.values_list("gss_code", "name_en", "name_cy")
    ]
    validation = validate_parquet(parquet, dataset.declared_schema, councils=councils)
    report["validation"] = validation_summary(validation)
    if validation.is_valid:
        return _Checked(parquet)
    reject = dataset.validation_policy == ValidationPolicy.REJECT
    if reject or validation.has_column_problems:
        rows = validation.invalid_row_count
        # Columns missing or unexpected reject the file whatever the policy: no row can be
        # checked against a schema its columns do not follow.
        key = "validation.rejected" if rows else "validation.columns-rejected"
        _fail(
            upload,
            reporter,
            DatasetUpload.Status.REJECTED,
            key,
            {"rows": rows},
            f"{rows} rows do not match the declared schema"
            if rows
            else "The columns do not match the declared schema",
            report,
        )
        return _Checked(parquet, rejected_key=key)
    valid, quarantine = work / "valid.parquet", work / "quarantine.parquet"
    _kept, quarantined = split_valid_rows(parquet, validation, valid, quarantine)
    stored = files.store_file(quarantine, kind="quarantine", suffix=".parquet")
    return _Checked(valid, stored.relative_path, quarantined)


def _create_version(
    upload: DatasetUpload,
    conversion: ConversionResult,
    parquet_path: str,
    checked: _Checked,
    profile: dict[str, Any],
    report: dict[str, Any],
    recipe: tuple[list[dict[str, Any]], dict[str, Any]],
) -> DatasetVersion:
    """The version, in one short transaction with the upload accepted and its audit event;
    every indicator on the dataset is queued to follow it."""
    dataset = upload.dataset
    with transaction.atomic():
        locked = type(dataset).objects.select_for_update().get(pk=dataset.pk)
        if locked.recipe != recipe[0]:  # changed while the file was converted: the new one
            report.pop("recipe", None)
            recipe = (list(locked.recipe), {})
            if locked.recipe:
                shaped = shape(files.resolve(parquet_path), locked.recipe, conversion.title_lines)
                recipe = (list(locked.recipe), shaped)
                report["recipe"] = {
                    "steps": len(locked.recipe),
                    "problems": shaped.get("problems", []),
                }
        last = locked.versions.order_by("-number").values_list("number", flat=True).first()
        version = DatasetVersion.objects.create(
            dataset=locked,
            number=(last or 0) + 1,
            upload=upload,
            sha256=upload.sha256,
            parquet_path=parquet_path,
            quarantine_path=checked.quarantine_path,
            row_count=conversion.row_count - checked.quarantined,
            quarantined_rows=checked.quarantined,
            table_schema=conversion.schema,
            profile=profile,
            title_lines=conversion.title_lines,
            recipe=recipe[0],
            shaped=recipe[1],
            created_by=upload.created_by,
        )
        upload.status = DatasetUpload.Status.ACCEPTED
        upload.report = report
        upload.save(update_fields=["status", "report"])
        for indicator in locked.indicators.all():
            queue_indicator(indicator, owner=upload.created_by)
        followers.rows_changed(locked, upload.created_by)
        audit.record_event(
            actor=upload.created_by,
            action="dataset.version_created",
            obj=version,
            after={
                "number": version.number,
                "rows": version.row_count,
                "quarantined": checked.quarantined,
                "sha256": version.sha256,
            },
        )
    return version
