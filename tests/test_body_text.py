"""Stored bodies are shown as the text the parser read, whatever encoding CI's sender chose."""

import codecs

from cicallback.models import Delivery
from dashboard.presenters import pretty_body
from tests.conftest import sample


def test_a_utf16_body_reads_as_the_text_it_holds():
    body = codecs.BOM_UTF16_LE + sample("failed-transcode.json").decode().encode("utf-16-le")
    assert Delivery(body=body).body_text == sample("failed-transcode.json").decode()
    assert '"EventName": "TaskFinish"' in pretty_body(body)


def test_bytes_that_are_not_text_show_replacement_characters():
    assert Delivery(body=b"<Response>\xff</Response>").body_text == "<Response>\ufffd</Response>"
