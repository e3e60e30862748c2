"""An ingested version never changes: its files must keep the bytes they were stored with."""

from __future__ import annotations

from collections.abc import Iterator

from infuse.core import files
from infuse.datalab.models import DatasetVersion

SAID = {
    "missing": "is missing",
    "changed": "no longer has the bytes it was stored with",
}


def changed_versions() -> Iterator[str]:
    """Why: indicators, exports and analyses all read the stored files; a file replaced or
    damaged on disk would change published figures silently. The uploaded original is checked
    too, since a new version can be made from it."""
    versions = DatasetVersion.objects.select_related("dataset", "upload").order_by("pk")
    for version in versions.iterator(chunk_size=500):
        name = f"Version {version.number} of dataset '{version.dataset.slug}'"
        stored = {
            "data file": version.parquet_path,
            "quarantined rows": version.quarantine_path,
            "uploaded file": version.upload.raw_path,
        }
        for what, relative in stored.items():
            if relative and (damage := files.damage(relative)):
                yield f"{name}: its {what} {SAID[damage]} ({relative})."
