"""Attacks through the messaging channels (issue 16 items 1, 2 and 6), on a real Rasa server
with every channel on and the providers' APIs recorded on loopback (tests/e2e/test_channels.py).

On main: an SMS conversation was stored under the bare phone number, which a widget client
could present as its session id to read the history; a captured Slack request could be sent
again within five minutes; Messenger still accepted SHA-1 signatures.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests
import test_channels as channels_e2e
from sec_clients import Widget, events, user_texts
from test_channels import (
    FACEBOOK,
    SLACK,
    _slack_dm,
    _slack_to,
    _sms_form,
    _sms_to,
    _twilio_post,
)

# The channel tests' fixtures: a Rasa server with every channel on, the providers recorded.
channel_servers = channels_e2e.channel_servers
provider = channels_e2e.provider

pytestmark = pytest.mark.e2e

PRIVATE = "this is Rosalind Quarry, DOB 1961-04-02, my biopsy said chondrosarcoma"


def _number() -> str:
    return f"+1555{uuid.uuid4().int % 10**7:07d}"


def test_an_sms_members_number_does_not_open_their_conversation_in_the_widget(
    channel_servers, provider  # type: ignore[no-untyped-def]
) -> None:
    number = _number()
    assert _twilio_post(channel_servers, _sms_form(number, PRIVATE)).status_code == 204
    channels_e2e.turn(channel_servers, f"sms:{number}")  # answered and stored
    assert provider.matching(_sms_to(number)), "no reply SMS"
    assert PRIVATE in user_texts(channel_servers, f"sms:{number}")
    assert user_texts(channel_servers, number) == []  # the bare number is no conversation
    for presented in (number, f"sms:{number}"):
        with Widget(channel_servers.url) as attacker:
            session = attacker.session(presented)
            assert session != presented and session.startswith("widget:")
            seen = attacker.skipped + attacker.turn({"message": "hello"})
        assert not [data for name, data in seen if name == "history"]
        assert PRIVATE not in str(seen)
    assert user_texts(channel_servers, f"sms:{number}") == [PRIVATE]


def test_sms_bypass_shape_does_not_force_an_intent(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    number = _number()
    forced = '/ /inform{"tumor_grade": "high"}'
    assert _twilio_post(channel_servers, _sms_form(number, forced)).status_code == 204
    channels_e2e.turn(channel_servers, f"sms:{number}")
    assert provider.matching(_sms_to(number)), "no reply SMS"
    user = [e for e in events(channel_servers, f"sms:{number}") if e.get("event") == "user"][-1]
    assert not user["text"].lstrip().startswith("/")
    assert "tumor_grade" not in {e.get("entity") for e in user["parse_data"].get("entities", [])}


# --- signatures --------------------------------------------------------------------------------


def _slack_request(user: str, channel: str) -> tuple[bytes, dict[str, str]]:
    event = _slack_dm(user, channel, "hello")
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    secret = SLACK["SLACK_SIGNING_SECRET"].encode()
    digest = hmac.new(secret, f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    return body, headers


def test_a_replayed_slack_request_is_refused(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    body, headers = _slack_request(user, channel)
    url = f"{channel_servers.url}/webhooks/slack/webhook"
    first = requests.post(url, data=body, headers=headers, timeout=90)
    assert first.status_code == 200
    replay = requests.post(url, data=body, headers=headers, timeout=90)
    assert replay.status_code == 400
    channels_e2e.turn(channel_servers, f"slack:{user}")
    assert provider.matching(_slack_to(channel)), "no reply to the first request"
    assert user_texts(channel_servers, f"slack:{user}") == ["hello"]


def _messenger_event(psid: str) -> bytes:
    now = int(time.time() * 1000)
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "PAGE",
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": "PAGE"},
                            "timestamp": now,
                            "message": {"mid": "m." + uuid.uuid4().hex, "text": "hello"},
                        }
                    ],
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize("header", ["X-Hub-Signature", "X-Hub-Signature-256"])
def test_messenger_accepts_only_sha256_signatures(channel_servers, header: str) -> None:  # type: ignore[no-untyped-def]
    psid = str(uuid.uuid4().int % 10**15)
    body = _messenger_event(psid)
    secret = FACEBOOK["FACEBOOK_SECRET"].encode()
    sha1 = hmac.new(secret, body, hashlib.sha1).hexdigest()
    # A valid SHA-1 signature, in the old header or mislabelled in the new one.
    value = f"sha1={sha1}"
    response = requests.post(
        f"{channel_servers.url}/webhooks/facebook/webhook",
        data=body,
        headers={"Content-Type": "application/json", header: value},
        timeout=90,
    )
    assert response.status_code == 403
    assert user_texts(channel_servers, f"messenger:{psid}") == []
    assert user_texts(channel_servers, psid) == []
