"""End to end: the real action and Rasa servers, through the REST webhook and the HTTP API."""
from __future__ import annotations

import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def say(servers, sender: str, text: str) -> list:  # type: ignore[no-untyped-def]
    response = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def test_hello_gets_the_welcome(servers) -> None:  # type: ignore[no-untyped-def]
    replies = say(servers, f"e2e-{uuid.uuid4()}", "hello")
    assert replies, "the bot sent no reply"
    assert any("not intended to diagnose" in (r.get("text") or "") for r in replies)


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
    anonymous = requests.request(method, url, json=body, timeout=30)
    authorised = requests.request(
        method, url, json=body, params={"token": servers.token}, timeout=30
    )
    if path == "/version":
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code in (401, 403), anonymous.text
    assert authorised.status_code not in (401, 403), authorised.text
    wrong = requests.request(method, url, json=body, params={"token": "wrong"}, timeout=30)
    assert wrong.status_code in (401, 403)
