"""End to end: the real action and Rasa servers, through the REST webhook and the HTTP API."""
from __future__ import annotations

import pytest
import requests
from chat import bot_texts

pytestmark = pytest.mark.e2e


def test_hello_gets_the_welcome(say, sender) -> None:  # type: ignore[no-untyped-def]
    replies = say(sender, "hello")
    assert replies, "the bot sent no reply"
    assert "not intended to diagnose" in bot_texts(replies)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/status"),
        ("get", "/version"),  # public by design in Rasa; checked below as the control
        ("post", "/model/parse"),
        ("get", "/conversations/someone/tracker"),
        ("post", "/conversations/someone/messages"),
        ("get", "/domain"),
    ],
)
def test_api_refuses_calls_without_the_token(servers, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{servers.url}{path}"
    body = {"text": "hello", "sender": "user"}
    headers = {"Accept": "application/json"}  # GET /domain answers 406 to "*/*"
    anonymous = requests.request(method, url, json=body, headers=headers, timeout=30)
    authorised = requests.request(
        method, url, json=body, headers=headers, params={"token": servers.token}, timeout=30
    )
    if path == "/version":
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 401, anonymous.text
    assert authorised.status_code == 200, authorised.text
    wrong = requests.request(
        method, url, json=body, headers=headers, params={"token": "wrong"}, timeout=30
    )
    assert wrong.status_code == 401, wrong.text
