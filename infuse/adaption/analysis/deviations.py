"""How an analysis departs from the protocol it follows: another primary outcome or dataset
than registered, secondary outcomes that were not registered, covariates the protocol did not
name. Kept with the analysis as keys (the results page words them) and details."""

from __future__ import annotations

from typing import Any


def protocol_deviations(
    content: dict[str, Any], mapping: dict[str, Any], dataset_slug: str
) -> list[dict[str, str]]:
    """Each way the analysis asked for (``mapping`` of ``dataset_slug``) departs from the
    registered protocol's ``content``."""
    deviations: list[dict[str, str]] = []
    registered = content.get("outcomes", [])
    primary = next((o for o in registered if o.get("kind") == "primary"), None)
    if primary and primary.get("column") and primary["column"] != mapping.get("outcome"):
        deviations.append(
            {
                "key": "primary-outcome",
                "detail": f"registered {primary.get('dataset')}.{primary['column']}, "
                f"analysed {dataset_slug}.{mapping.get('outcome')}",
            }
        )
    if primary and primary.get("dataset") and primary["dataset"] != dataset_slug:
        deviations.append(
            {
                "key": "dataset",
                "detail": f"registered {primary['dataset']}, analysed {dataset_slug}",
            }
        )
    names = {o.get("column") for o in registered if o.get("kind") == "secondary"}
    unregistered = [c for c in mapping.get("secondary", []) if names and c not in names]
    if unregistered:
        deviations.append({"key": "secondary-outcomes", "detail": ", ".join(unregistered)})
    if mapping.get("covariates"):
        deviations.append({"key": "covariates", "detail": ", ".join(mapping["covariates"])})
    return deviations
