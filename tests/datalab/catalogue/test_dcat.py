"""The DCAT feed read back as RDF (rdflib, as a harvester would): public datasets only."""

import datetime

import pytest
from django.test import Client
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

pytestmark = pytest.mark.django_db
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")


def test_public_datasets_become_dcat_with_welsh_and_english(make_dataset):
    make_dataset(
        "Road casualties",
        visibility="public",
        title_cy="Anafiadau ar y ffyrdd",
        description_en="Reported road casualties",
        update_frequency="annually",
        themes=["improving-public-health"],
        goals=["healthier"],
        councils=["W06000015", "W06000022"],
        contact_email="data@cardiff.example",
        temporal_start=datetime.date(2019, 1, 1),
        temporal_end=datetime.date(2023, 12, 31),
    )
    make_dataset("Staff rota", visibility="private")
    make_dataset("Regional list", visibility="region")
    response = Client().get("/data/catalogue.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content, format="json-ld")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    dataset = datasets[0]
    assert str(dataset) == "http://testserver/data/datasets/road-casualties/"
    titles = set(graph.objects(dataset, DCTERMS.title))
    assert Literal("Road casualties", lang="en") in titles
    assert Literal("Anafiadau ar y ffyrdd", lang="cy") in titles
    assert (
        dataset,
        DCTERMS.license,
        URIRef("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    ) in graph
    assert (dataset, DCTERMS.accrualPeriodicity, FREQ.ANNUAL) in graph
    spatial = {str(s) for s in graph.objects(dataset, DCTERMS.spatial)}
    assert spatial == {
        "http://statistics.data.gov.uk/id/statistical-geography/W06000015",
        "http://statistics.data.gov.uk/id/statistical-geography/W06000022",
    }
    period = next(graph.objects(dataset, DCTERMS.temporal))
    assert str(next(graph.objects(period, DCAT.startDate))) == "2019-01-01"
    assert len(list(graph.objects(dataset, DCAT.theme))) == 2
    catalogue = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert (catalogue, DCAT.dataset, dataset) in graph


def test_the_feed_refuses_anything_not_public(make_dataset):
    from infuse.datalab.catalogue import dcat

    private = make_dataset("Secret", visibility="private")
    with pytest.raises(ValueError, match="not public"):
        dcat.catalogue([private], "https://infuse.example")
