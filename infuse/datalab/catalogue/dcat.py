"""The public catalogue as DCAT (JSON-LD), for open-data harvesters.

Follows DCAT version 3 (W3C Recommendation, 2024) with the vocabularies DCAT-AP and the UK's
data.gov.uk harvesters read: titles and descriptions in English and Welsh as language-tagged
literals, licences as URIs, update frequency from the EU Publications Office frequency
authority table, the period covered as a ``dct:PeriodOfTime``. Only public datasets are ever
described here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infuse.datalab.models import LICENCE_URLS, Dataset, Visibility

FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annually": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def _text(en: str | None, cy: str | None) -> list[dict[str, str]]:
    return [
        {"@value": value, "@language": language}
        for language, value in (("en", en), ("cy", cy))
        if value
    ]


def _concept(base: str, code: str, en: str, cy: str) -> dict[str, Any]:
    return {"@id": f"{base}{code}", "@type": "skos:Concept", "skos:prefLabel": _text(en, cy)}


def dataset_node(dataset: Dataset, base_url: str) -> dict[str, Any]:
    """One ``dcat:Dataset`` (its landing page is the dataset's page on InFuSe)."""
    page = f"{base_url}/data/datasets/{dataset.slug}/"
    node: dict[str, Any] = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.slug,
        "dct:title": _text(dataset.title_en, dataset.title_cy),
        "dct:description": _text(dataset.description_en, dataset.description_cy),
        "dcat:landingPage": {"@id": page},
        "dct:publisher": {
            "@id": f"{base_url}/organisations/{dataset.publisher.slug}",
            "@type": "foaf:Organization",
            "foaf:name": _text(dataset.publisher.name_en, dataset.publisher.name_cy),
        },
        "dct:accrualPeriodicity": {"@id": FREQUENCY + FREQUENCIES[dataset.update_frequency]},
        "dct:modified": {"@value": dataset.updated_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:language": [
            {"@id": "http://id.loc.gov/vocabulary/iso639-1/en"},
            {"@id": "http://id.loc.gov/vocabulary/iso639-1/cy"},
        ],
        "dcat:theme": [
            _concept(f"{base_url}/themes/", t.code, t.name_en, t.name_cy or t.name_en)
            for t in dataset.themes.all()
        ]
        + [
            _concept(f"{base_url}/well-being-goals/", g.code, g.name_en, g.name_cy or g.name_en)
            for g in dataset.goals.all()
        ],
        "dct:spatial": [
            {"@id": f"http://statistics.data.gov.uk/id/statistical-geography/{c.gss_code}"}
            for c in dataset.councils.all()
        ],
    }
    licence = LICENCE_URLS.get(dataset.licence)
    if licence:
        node["dct:license"] = {"@id": licence}
    if dataset.temporal_start or dataset.temporal_end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal_start:
            period["dcat:startDate"] = {
                "@value": dataset.temporal_start.isoformat(),
                "@type": "xsd:date",
            }
        if dataset.temporal_end:
            period["dcat:endDate"] = {
                "@value": dataset.temporal_end.isoformat(),
                "@type": "xsd:date",
            }
        node["dct:temporal"] = period
    if dataset.contact_email:
        node["dcat:contactPoint"] = {
            "@type": "vcard:Organization",
            "vcard:hasEmail": {"@id": f"mailto:{dataset.contact_email}"},
        }
    return node


def catalogue(datasets: Iterable[Dataset], base_url: str) -> dict[str, Any]:
    """The ``dcat:Catalog`` of the given datasets; non-public ones are refused, not skipped."""
    nodes = []
    for dataset in datasets:
        if dataset.visibility != Visibility.PUBLIC:
            raise ValueError(f"{dataset.slug} is not public and must not be in the DCAT feed")
        nodes.append(dataset_node(dataset, base_url))
    return {
        "@context": CONTEXT,
        "@id": f"{base_url}/data/catalogue.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text("InFuSe Data Lab", "Labordy Data InFuSe"),
        "dct:description": _text(
            "Open data published by the ten councils of the Cardiff Capital Region.",
            "Data agored a gyhoeddir gan ddeg cyngor Prifddinas-Ranbarth Caerdydd.",
        ),
        "dcat:dataset": nodes,
    }
