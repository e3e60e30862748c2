"""Downloads: a file's name reaches the browser whole, whatever letters or quotes it has."""

from __future__ import annotations

from email.message import Message

from infuse.core.downloads import attachment


def _name(header: str) -> str | None:
    message = Message()
    message["Content-Disposition"] = header
    return message.get_filename()


def test_plain_welsh_and_quoted_names_survive_the_header():
    for name in ("query.csv", "Cynllun ‘terfynol’ – ŵyn.pdf", 'a "quoted" name.docx'):
        response = attachment(b"x", "application/octet-stream", name)
        assert _name(response["Content-Disposition"]) == name
        assert response.content == b"x"
