"""HEAD answers as GET does, without a body: link checkers and uptime monitors get 200, not 405."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/cy/", "/data/", "/experiments/", "/procurement/", "/goals/", "/api/v1/councils"]
)
def test_head_answers_like_get(path: str) -> None:
    client = Client()
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200 and head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content)


def test_head_of_a_missing_page_is_404_and_of_a_post_only_route_405() -> None:
    client = Client()
    assert client.head("/data/datasets/no-such-dataset/").status_code == 404
    assert (
        client.head("/account/sign-out/").status_code
        == client.get("/account/sign-out/").status_code
    )
