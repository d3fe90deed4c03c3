"""Identity per channel (issue 16 item 1): one member can never reach another's conversation.

Each test runs the review's attack against the real servers and asserts that it fails. On
the main branch before the fix each one succeeded: the widget resumed any id it was given and
replayed its history, ``user_uttered`` spoke for the ``session_id`` the client named, every
channel shared one id space, and the REST webhook answered anyone for any sender.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sec_clients import Widget, bubbles, rest, rest_token, texts, user_texts

pytestmark = pytest.mark.e2e

PRIVATE = "my name is Rosalind Quarry, born 1961-04-02, I have chondrosarcoma"


def _victim_over_rest(servers: Any) -> str:
    victim = f"sec-victim-{uuid.uuid4().hex[:12]}"
    assert rest(servers, victim, "hello").status_code == 200
    assert rest(servers, victim, PRIVATE).status_code == 200
    assert PRIVATE in user_texts(servers, victim)
    return victim


def _no_history_then_a_fresh_turn(widget: Widget) -> list[tuple[str, Any]]:
    """The events after session_confirm up to the end of a new turn: a history, had the server
    sent one, would come first (one socket delivers in order)."""
    seen = widget.turn({"message": "hello"})
    return widget.skipped + seen


# --- the widget --------------------------------------------------------------------------------


def test_widget_cannot_resume_a_rest_members_conversation_by_its_id(servers) -> None:  # type: ignore[no-untyped-def]
    victim = _victim_over_rest(servers)
    with Widget(servers.url) as attacker:
        session = attacker.session(victim)
        assert session != victim and session.startswith("widget:")
        seen = _no_history_then_a_fresh_turn(attacker)
    assert not [data for name, data in seen if name == "history"]
    assert PRIVATE not in str(seen)
    assert user_texts(servers, victim) == ["hello", PRIVATE]  # nothing added to the victim's


@pytest.mark.parametrize("shape", ["unsigned", "forged", "other key", "sms number", "bare nonce"])
def test_widget_gives_a_fresh_id_and_no_history_for_an_id_it_did_not_issue(
    servers, shape: str  # type: ignore[no-untyped-def]
) -> None:
    with Widget(servers.url) as member:
        real = member.session()
        member.turn({"message": PRIVATE})
    nonce = real.split(":")[-1].split(".")[0]  # (main issued bare hex ids)
    signature = real.split(".")[-1] if "." in real else "x" * 43
    presented = {
        "unsigned": f"widget:{nonce}",
        "forged": f"widget:{nonce}.{'A' * len(signature)}",
        "other key": f"widget:{nonce}.{signature[::-1]}",
        "sms number": "sms:+15550001234",
        "bare nonce": nonce,
    }[shape]
    with Widget(servers.url) as attacker:
        session = attacker.session(presented)
        assert session not in (presented, real)
        seen = _no_history_then_a_fresh_turn(attacker)
    assert not [data for name, data in seen if name == "history"]
    assert PRIVATE not in str(seen)


def test_widget_resumes_the_id_it_issued_with_its_history(servers) -> None:  # type: ignore[no-untyped-def]
    """The control: a reloaded page (same signed id) gets its conversation back."""
    with Widget(servers.url) as member:
        session = member.session()
        member.turn({"message": PRIVATE})
    with Widget(servers.url) as again:
        assert again.session(session) == session
        _, history = again.next("history")
    assert PRIVATE in str(history)


def test_user_uttered_ignores_the_session_id_the_client_names(servers) -> None:  # type: ignore[no-untyped-def]
    with Widget(servers.url) as victim, Widget(servers.url) as attacker:
        victims = victim.session()
        victim.turn({"message": "hello"})
        attackers = attacker.session()
        attacker.turn({"message": "what is osteosarcoma?", "session_id": victims})
        # The victim's own next turn: anything sent to its room meanwhile arrives before it.
        victim_seen = victim.drain() + victim.turn({"message": "thanks"})
    assert user_texts(servers, victims) == ["hello", "thanks"]
    assert "what is osteosarcoma?" in user_texts(servers, attackers)
    assert "osteosarcoma" not in texts(bubbles(victim_seen)).lower()


def test_a_message_before_any_session_request_gets_a_new_session(servers) -> None:  # type: ignore[no-untyped-def]
    victim = _victim_over_rest(servers)
    with Widget(servers.url) as attacker:
        seen = attacker.turn({"message": "hello", "session_id": victim})
    confirmed = [data for name, data in seen if name == "session_confirm"]
    assert confirmed and str(confirmed[0]).startswith("widget:")
    assert user_texts(servers, victim) == ["hello", PRIVATE]


# --- the REST webhook (internal, token) --------------------------------------------------------


@pytest.mark.parametrize(
    "token", [None, "wrong-token", "Basic"], ids=["no header", "wrong token", "other scheme"]
)
def test_rest_refuses_a_caller_without_the_channel_token(servers, token) -> None:  # type: ignore[no-untyped-def]
    sender = f"sec-anon-{uuid.uuid4().hex[:12]}"
    if token == "Basic":
        response = requests.post(
            f"{servers.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "hello"},
            headers={"Authorization": f"Basic {rest_token()}"},
            timeout=30,
        )
    else:
        response = rest(servers, sender, "hello", token=token)
    assert response.status_code == 401
    assert response.headers.get("WWW-Authenticate") == "Bearer"
    assert user_texts(servers, sender) == []  # nothing reached the conversation


def test_forget_me_without_the_token_cannot_delete_someone_elses_conversation(servers) -> None:  # type: ignore[no-untyped-def]
    victim = _victim_over_rest(servers)
    assert (
        rest(servers, victim, "please forget me and delete my data", token=None).status_code == 401
    )
    assert rest(servers, victim, "yes", token=None).status_code == 401
    assert user_texts(servers, victim) == ["hello", PRIVATE]


@pytest.mark.parametrize(
    "sender", ["sms:+15550001234", "widget:" + "0" * 32, "telegram:42", "SLACK:U1", "messenger:7"]
)
def test_rest_cannot_name_another_channels_conversation(servers, sender: str) -> None:  # type: ignore[no-untyped-def]
    response = rest(servers, sender, "please forget me and delete my data")
    assert response.status_code == 400
    assert "prefix" in response.json()["reason"]
