"""Messaging channels end to end: each provider's real webhook request, the reply at its API.

A second Rasa server (sharing the session's action server) runs with fake provider
credentials and every provider's API base URL pointed at ``Provider``, a loopback HTTP server
that records the calls: the outside boundary is the only thing replaced. The credentials-template
tests at the top need no server.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, quote

import pytest
import requests
import yaml
from chat import rest_headers, wait_for_turn
from stories_live import post_waiting
from twilio.request_validator import RequestValidator
from widget_client import Widget, bubbles

from member_health.clarify import topic_button
from member_health_rasa.channels.common import resolve_text
from member_health_rasa.channels.widget import WidgetInput
from member_health_rasa.project import merged_domain
from member_health_rasa.tools.serve import CREDENTIALS_FILES, ROOT, Servers, runtime_credentials

REPLY_S = 90
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-test-token",
    "TWILIO_NUMBER": "+15550009999",
}
TELEGRAM = {
    "TELEGRAM_ACCESS_TOKEN": "123456:test-telegram-token",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "telegram-test-secret",
}
SLACK = {"SLACK_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "slack-test-secret"}
FACEBOOK = {
    "FACEBOOK_VERIFY": "fb-verify",
    "FACEBOOK_SECRET": "fb-test-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-test-page-token",
}


MESSAGING = {
    "member_health_rasa.channels.sms.SmsInput",
    "member_health_rasa.channels.telegram.TelegramBotInput",
    "member_health_rasa.channels.slack.SlackEventsInput",
    "member_health_rasa.channels.messenger.MessengerInput",
}


# --- the credentials template (no server) ---------------------------------------------------


def _channels(tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    out, _ = runtime_credentials(CREDENTIALS_FILES, tmp_path / "credentials.yml", env)
    return yaml.safe_load(out.read_text())


@pytest.mark.parametrize(
    "env, on",
    [
        ({}, set()),
        (TWILIO, {"member_health_rasa.channels.sms.SmsInput"}),
        ({**TWILIO, "TWILIO_AUTH_TOKEN": ""}, set()),  # empty counts as unset
        (TELEGRAM, {"member_health_rasa.channels.telegram.TelegramBotInput"}),
        ({k: v for k, v in TELEGRAM.items() if k != "TELEGRAM_SECRET_TOKEN"}, set()),
        (SLACK, {"member_health_rasa.channels.slack.SlackEventsInput"}),
        (FACEBOOK, {"member_health_rasa.channels.messenger.MessengerInput"}),
        (
            {**TWILIO, **TELEGRAM, **SLACK, **FACEBOOK},
            {
                "member_health_rasa.channels.sms.SmsInput",
                "member_health_rasa.channels.telegram.TelegramBotInput",
                "member_health_rasa.channels.slack.SlackEventsInput",
                "member_health_rasa.channels.messenger.MessengerInput",
            },
        ),
    ],
)
def test_a_channel_is_on_only_when_its_variables_are_set(
    tmp_path: Path, env: dict[str, str], on: set
) -> None:
    channels = _channels(tmp_path, env)
    # credentials.yml: what a plain `rasa run` reads, REST and the widget (no secret needed)
    always = set(yaml.safe_load((ROOT / "credentials.yml").read_text()))
    assert always == {
        "member_health_rasa.channels.rest.RestInput",
        "member_health_rasa.channels.widget.WidgetInput",
    }
    assert set(yaml.safe_load((ROOT / "credentials.channels.yml").read_text())) == MESSAGING
    assert set(channels) == always | on


def test_credentials_yml_needs_no_variable() -> None:
    """Plain `rasa run` reads credentials.yml: an unset ${VAR} there would stop it."""
    assert "${" not in (ROOT / "credentials.yml").read_text()


def test_runtime_credentials_fill_values_and_leave_unset_optional_settings_out(
    tmp_path: Path,
) -> None:
    channels = _channels(tmp_path, {**TWILIO, "TWILIO_API_BASE": "http://127.0.0.1:1"})
    assert channels["member_health_rasa.channels.sms.SmsInput"] == {
        "account_sid": TWILIO["TWILIO_ACCOUNT_SID"],
        "auth_token": "twilio-test-token",
        "twilio_number": "+15550009999",
        "api_base": "http://127.0.0.1:1",
    }


def test_widget_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIDGET_ORIGIN", raising=False)
    widget = WidgetInput.from_credentials({"session_persistence": True})
    assert isinstance(widget, WidgetInput) and widget.extra_origins == []
    monkeypatch.setenv("WIDGET_ORIGIN", "https://plan.example, https://b.example/")
    widget = WidgetInput.from_credentials({"session_persistence": True})
    assert isinstance(widget, WidgetInput)
    assert widget.extra_origins == ["https://plan.example", "https://b.example"]
    configured = WidgetInput.from_credentials({"cors_allowed_origins": "https://c.example"})
    assert isinstance(configured, WidgetInput)
    assert configured.extra_origins == ["https://c.example"]


def test_runtime_credentials_name_the_missing_variables_and_hide_the_file(tmp_path: Path) -> None:
    out, off = runtime_credentials(CREDENTIALS_FILES, tmp_path / "c.yml", {"SLACK_TOKEN": "x"})
    assert "member_health_rasa.channels.slack.SlackEventsInput (set SLACK_SIGNING_SECRET)" in off
    assert out.stat().st_mode & 0o077 == 0


# --- what a member's text means (no server) ---------------------------------------------------

WELCOME_BUTTONS = [
    {"title": "What is bone cancer?", "payload": "What is bone cancer?"},
    {"title": "Yes", "payload": "/affirm"},
]


@pytest.fixture
async def app_with_a_turn() -> Any:
    """An app holding a real domain and tracker store; the bot's last turn offered buttons."""
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict(
        {"responses": {"utter_start": [{"text": "Hi", "buttons": [{"payload": "/greet"}]}]}}
    )
    store = InMemoryTrackerStore(domain)
    tracker = DialogueStateTracker.from_events(
        "member", [UserUttered("hi"), BotUttered("Pick one", {"buttons": WELCOME_BUTTONS})]
    )
    await store.save(tracker)
    return SimpleNamespace(
        ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store, domain=domain))
    )


@pytest.mark.parametrize(
    "text, numbered, expected",
    [
        ("1", True, "What is bone cancer?"),
        ("2", True, "/affirm"),
        ("3", True, "3"),
        ("1", False, "1"),
        ("my leg hurts", True, "my leg hurts"),
        ("/affirm", False, "/affirm"),  # offered by the bot's last turn
        ("/greet", False, "/greet"),  # the start payload
        (
            '/cleared_by_doctor{"screening_outcome": "clear"}',
            False,
            'cleared_by_doctor{"screening_outcome": "clear"}',
        ),  # never forced
    ],
)
async def test_resolve_text(app_with_a_turn: Any, text: str, numbered: bool, expected: str) -> None:
    assert await resolve_text(app_with_a_turn, "member", text, numbered) == expected


async def test_resolve_text_for_a_new_member_picks_no_button(app_with_a_turn: Any) -> None:
    assert await resolve_text(app_with_a_turn, "someone-new", "1", numbered=True) == "1"
    assert await resolve_text(app_with_a_turn, "someone-new", "/affirm") == "affirm"


# --- the provider's API, recorded on loopback -------------------------------------------------


class Provider(ThreadingHTTPServer):
    """Records every API call and answers as Twilio, Telegram, Slack or the Graph API would."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProviderHandler)
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def wait_for(self, match: Callable[[dict[str, Any]], bool], what: str) -> list[dict[str, Any]]:
        """The calls that match, once one arrived (fails after ``REPLY_S``). For a whole turn's
        replies, wait for the turn to be stored first (``turn``)."""
        deadline = time.monotonic() + REPLY_S
        while time.monotonic() < deadline:
            found = self.matching(match)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no {what} reached the provider; calls: {self.calls[-5:]}")

    def matching(self, match: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        with self.lock:
            return [call for call in self.calls if match(call)]


class _ProviderHandler(BaseHTTPRequestHandler):
    server: Provider

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = self.headers.get("Content-Type", "")
        if "json" in kind:
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        call = {"path": self.path.split("?")[0], "body": body, "headers": dict(self.headers)}
        with self.server.lock:
            self.server.calls.append(call)
        self._answer(call)

    def _answer(self, call: dict[str, Any]) -> None:
        path, body = call["path"], call["body"]
        if path.endswith("/Messages.json"):  # Twilio
            reply = {
                "sid": "SM" + uuid.uuid4().hex,
                "status": "queued",
                "to": body.get("To"),
                "from": body.get("From"),
                "body": body.get("Body"),
            }
            return self._json(201, reply)
        if path.startswith("/bot"):  # Telegram Bot API
            result: Any = True
            if path.endswith("/sendMessage"):
                result = {
                    "message_id": len(self.server.calls),
                    "date": int(time.time()),
                    "chat": {"id": int(body["chat_id"]), "type": "private"},
                    "text": body.get("text"),
                }
            return self._json(200, {"ok": True, "result": result})
        if path.startswith("/api/"):  # Slack Web API
            return self._json(200, {"ok": True, "channel": body.get("channel"), "ts": "1.0"})
        if path.endswith("/me/messages"):  # Graph API (Messenger)
            return self._json(200, {"recipient_id": "x", "message_id": "mid.1"})
        return self._json(404, {"error": "unknown"})

    def _json(self, status: int, data: Any) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def channel_servers(servers, provider: Provider, model_path, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A Rasa server with every channel on, its providers' APIs at ``provider``."""
    tmp = tmp_path_factory.mktemp("channels")
    env = {
        **TWILIO,
        **TELEGRAM,
        **SLACK,
        **FACEBOOK,
        "TWILIO_API_BASE": provider.url,
        "TELEGRAM_API_BASE": provider.url,
        "SLACK_API_BASE": f"{provider.url}/api/",
        "FACEBOOK_GRAPH_URL": f"{provider.url}/v-test",
    }
    running = Servers(
        token=servers.token,
        rasa_port=_free_port(),
        actions_port=servers.actions_port,
        model=model_path,
        tracker_db=str(tmp / "tracker.db"),
        log_dir=tmp,
        env=env,
    )
    try:
        running.start_rasa()
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _events(server: Servers, sender: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{server.url}/conversations/{quote(sender, safe='+:')}/tracker",
        params={"token": server.token},
        timeout=30,
    )
    response.raise_for_status()
    return response.json().get("events") or []


def _user_texts(server: Servers, sender: str) -> list[str]:
    return [e.get("text") for e in _events(server, sender) if e.get("event") == "user"]


def turn(server: Servers, sender: str, users: int = 1) -> list[dict[str, Any]]:
    """The events once the member's ``users``-th message was answered and stored."""
    return wait_for_turn(server.url, server.token, sender, users, REPLY_S)


# --- off by default ----------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("channel", ["twilio", "telegram", "slack", "facebook"])
def test_unconfigured_channels_are_off_and_the_server_runs(servers, channel: str) -> None:  # type: ignore[no-untyped-def]
    assert requests.get(f"{servers.url}/webhooks/{channel}/", timeout=30).status_code == 404
    assert requests.get(f"{servers.url}/webhooks/widget/", timeout=30).status_code == 200


# --- SMS (Twilio) ------------------------------------------------------------------------------


def _twilio_post(server: Servers, form: dict[str, str], signed: bool = True) -> requests.Response:
    url = f"{server.url}/webhooks/twilio/webhook"
    signature = RequestValidator(TWILIO["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    headers = {"X-Twilio-Signature": signature if signed else "forged"}
    return requests.post(url, data=form, headers=headers, timeout=REPLY_S)


def _sms_to(number: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c["path"].endswith("/Messages.json") and c["body"].get("To") == number


def _sms_form(number: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO["TWILIO_ACCOUNT_SID"],
        "From": number,
        "To": TWILIO["TWILIO_NUMBER"],
        "Body": body,
        "NumMedia": "0",
    }


@pytest.mark.e2e
def test_sms_numbers_the_buttons_and_a_number_picks_one(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    assert _twilio_post(channel_servers, _sms_form(number, "hello")).status_code == 204
    turn(channel_servers, f"sms:{number}")
    welcome = provider.matching(_sms_to(number))
    text = "\n".join(call["body"]["Body"] for call in welcome)
    assert "not intended to diagnose" in text
    assert "1. What is bone cancer?" in text and "Reply with a number" in text
    assert all(call["body"]["From"] == TWILIO["TWILIO_NUMBER"] for call in welcome)
    assert all(len(call["body"]["Body"]) <= 1600 for call in welcome)
    auth = welcome[0]["headers"].get("Authorization", "")
    assert auth.startswith("Basic ")  # account SID + auth token, as Twilio requires

    seen = len(welcome)
    assert _twilio_post(channel_servers, _sms_form(number, "1")).status_code == 204
    turn(channel_servers, f"sms:{number}", users=2)
    answer = provider.matching(_sms_to(number))[seen:]
    assert any("primary bone cancer" in call["body"]["Body"] for call in answer), answer
    assert _user_texts(channel_servers, f"sms:{number}")[-1] == "What is bone cancer?"


@pytest.mark.e2e
def test_sms_two_questions_offer_the_other_topic_as_a_number(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    domain = merged_domain().as_dict()
    offer_text = domain["responses"]["utter_also_asked"][0]["text"]
    keys = [k.split("/", 1)[1] for k in domain["responses"] if k.startswith("utter_faq/")]
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    asked = "what is a sarcoma and how is it treated?"  # answers one topic, offers the other
    assert _twilio_post(channel_servers, _sms_form(number, asked)).status_code == 204
    turn(channel_servers, f"sms:{number}")
    text = "\n".join(call["body"]["Body"] for call in provider.matching(_sms_to(number)))
    offer = text[text.rindex(offer_text) :]
    [offered] = [
        button
        for button in (topic_button(domain, key) for key in keys)
        if button and f"1. {button['title']}\n" in offer
    ]
    assert "Reply with a number" in offer and "2. " not in offer

    seen = len(provider.matching(_sms_to(number)))
    assert _twilio_post(channel_servers, _sms_form(number, "1")).status_code == 204
    turn(channel_servers, f"sms:{number}", users=2)
    assert _user_texts(channel_servers, f"sms:{number}")[-1] == offered["payload"]
    answer = "\n".join(c["body"]["Body"] for c in provider.matching(_sms_to(number))[seen:])
    assert answer and offer_text not in answer


@pytest.mark.e2e
def test_sms_without_twilios_signature_is_refused(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    response = _twilio_post(channel_servers, _sms_form(number, "forged"), signed=False)
    assert response.status_code == 403
    # The same member's next, signed message: once it is answered, the forged one would have
    # been too (one conversation's turns are handled in order).
    assert provider.matching(_sms_to(number)) == []
    assert _twilio_post(channel_servers, _sms_form(number, "hello")).status_code == 204
    turn(channel_servers, f"sms:{number}")
    assert _user_texts(channel_servers, f"sms:{number}") == ["hello"]


@pytest.mark.e2e
def test_sms_too_long_is_refused_before_nlu(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    assert _twilio_post(channel_servers, _sms_form(number, "pain " * 300)).status_code == 204
    reply = provider.wait_for(_sms_to(number), "refusal SMS")
    assert "too long" in reply[0]["body"]["Body"]
    assert _user_texts(channel_servers, f"sms:{number}") == []


# --- Telegram ----------------------------------------------------------------------------------


def _telegram_post(server: Servers, update: dict[str, Any], secret: str) -> requests.Response:
    return requests.post(
        f"{server.url}/webhooks/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        timeout=REPLY_S,
    )


def _telegram_message(chat_id: int, text: str) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
    return {
        "update_id": uuid.uuid4().int % 10**9,
        "message": {
            "message_id": 1,
            "from": person,
            "chat": {**person, "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def _telegram_api(method: str, chat_id: int | None = None) -> Callable[[dict[str, Any]], bool]:
    prefix = f"/bot{TELEGRAM['TELEGRAM_ACCESS_TOKEN']}/{method}"
    return lambda c: c["path"] == prefix and (
        chat_id is None or str(c["body"].get("chat_id")) == str(chat_id)
    )


@pytest.mark.e2e
def test_telegram_webhook_is_registered_with_the_secret_at_start(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    calls = provider.wait_for(_telegram_api("setWebhook"), "setWebhook")
    assert calls[0]["body"]["url"] == TELEGRAM["TELEGRAM_WEBHOOK_URL"]
    assert calls[0]["body"]["secret_token"] == TELEGRAM["TELEGRAM_SECRET_TOKEN"]


@pytest.mark.e2e
def test_telegram_message_and_button_reach_the_bot_api(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    chat_id = 10**8 + uuid.uuid4().int % 10**8
    secret = TELEGRAM["TELEGRAM_SECRET_TOKEN"]
    assert _telegram_post(channel_servers, _telegram_message(chat_id, "hello"), secret).ok
    turn(channel_servers, f"telegram:{chat_id}")
    sent = provider.matching(_telegram_api("sendMessage", chat_id))
    assert "not intended to diagnose" in "\n".join(c["body"]["text"] for c in sent)
    keyboard = json.loads(
        next(c["body"]["reply_markup"] for c in sent if "reply_markup" in c["body"])
    )
    button = keyboard["inline_keyboard"][0][0]
    assert button["text"] == "What is bone cancer?"

    message = _telegram_message(chat_id, "")["message"]
    tap = {
        "update_id": uuid.uuid4().int % 10**9,
        "callback_query": {
            "id": "cbq-" + uuid.uuid4().hex,
            "from": message["from"],
            "message": message,
            "chat_instance": "1",
            "data": button["callback_data"],
        },
    }
    assert _telegram_post(channel_servers, tap, secret).ok
    turn(channel_servers, f"telegram:{chat_id}", users=2)
    assert provider.matching(
        lambda c: _telegram_api("sendMessage", chat_id)(c)
        and "primary bone cancer" in c["body"]["text"]
    ), "no answer to the button"
    assert provider.matching(
        lambda c: _telegram_api("answerCallbackQuery")(c)
        and c["body"].get("callback_query_id") == tap["callback_query"]["id"]
    )


@pytest.mark.e2e
def test_telegram_update_without_the_secret_is_refused(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    chat_id = 10**8 + uuid.uuid4().int % 10**8
    response = _telegram_post(channel_servers, _telegram_message(chat_id, "forged"), "wrong")
    assert response.status_code == 403
    assert provider.matching(_telegram_api("sendMessage", chat_id)) == []
    # The same chat's next, genuine update: once it is answered, the refused one would have
    # been too.
    secret = TELEGRAM["TELEGRAM_SECRET_TOKEN"]
    assert _telegram_post(channel_servers, _telegram_message(chat_id, "hello"), secret).ok
    turn(channel_servers, f"telegram:{chat_id}")
    assert _user_texts(channel_servers, f"telegram:{chat_id}") == ["hello"]


@pytest.mark.e2e
def test_every_start_of_a_server_installs_the_extensions_once(servers, channel_servers) -> None:  # type: ignore[no-untyped-def]
    """REST + widget, or every channel: the same extensions, logged once per start
    (member_health_rasa/ops/extensions.py)."""
    for server in (servers, channel_servers):
        log = (server.log_dir / f"rasa-{server.rasa_port}.log").read_text(errors="replace")
        starts = log.count("Starting Rasa server on")
        assert starts >= 1
        installed = (
            "installed: request guards, action guard, action reply validator, "
            "action requests in ujson"
        )
        assert log.count(installed) == starts, (log.count(installed), starts)
        swapped = "custom action requests are encoded with ujson"
        assert log.count(swapped) == starts, (log.count(swapped), starts)


HANDOFF = "I want to talk to a nurse"  # answered by a custom action (action_handoff)


@pytest.mark.e2e
def test_telegram_answers_each_failed_action_and_the_next_action_runs(  # type: ignore[no-untyped-def]
    servers, channel_servers, provider
) -> None:
    """Telegram's channel shares one output object between every update of every chat. The
    action guard's "once per turn" is the conversation's turn, not that object: two failed
    custom actions in a row are each answered, and once the action server is back the next
    message's custom action runs (it used to be skipped for good, for every chat)."""
    chat_id = 10**8 + uuid.uuid4().int % 10**8
    sender = f"telegram:{chat_id}"
    secret = TELEGRAM["TELEGRAM_SECRET_TOKEN"]

    def say(text: str) -> str:
        before = len(provider.matching(_telegram_api("sendMessage", chat_id)))
        users = len(_user_texts(channel_servers, sender))
        assert _telegram_post(channel_servers, _telegram_message(chat_id, text), secret).ok
        turn(channel_servers, sender, users + 1)
        sent = provider.matching(_telegram_api("sendMessage", chat_id))[before:]
        return "\n".join(c["body"]["text"] for c in sent)

    servers.stop("actions")
    try:
        first, second = say(HANDOFF), say(HANDOFF)
    finally:
        servers.start_actions()
        servers.wait_ready()
    assert first.count(UNAVAILABLE) == 1, first
    assert second.count(UNAVAILABLE) == 1, f"the second failure was not answered: {second!r}"
    third = say(HANDOFF)
    assert "nurse line" in third and UNAVAILABLE not in third, third


# --- Slack -------------------------------------------------------------------------------------


def _slack_post(server: Servers, event: dict[str, Any], secret: str) -> requests.Response:
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return requests.post(
        f"{server.url}/webhooks/slack/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        },
        timeout=REPLY_S,
    )


def _slack_dm(user: str, channel: str, text: str) -> dict[str, Any]:
    return {
        "token": "unused",
        "team_id": "T0TEST",
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10],
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "U0BOT"}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        },
    }


def _slack_to(channel: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c["path"] == "/api/chat.postMessage" and c["body"].get("channel") == channel


@pytest.mark.e2e
def test_slack_signed_event_is_answered_with_chat_post_message(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    secret = SLACK["SLACK_SIGNING_SECRET"]
    assert _slack_post(channel_servers, _slack_dm(user, channel, "hello"), secret).ok
    turn(channel_servers, f"slack:{user}")
    posts = provider.matching(_slack_to(channel))
    assert "not intended to diagnose" in "\n".join(p["body"].get("text", "") for p in posts)
    assert posts[0]["headers"].get("Authorization") == f"Bearer {SLACK['SLACK_TOKEN']}"
    actions = [b for p in posts for b in p["body"].get("blocks") or [] if b["type"] == "actions"]
    titles = [e["text"]["text"] for block in actions for e in block["elements"]]
    assert "What is bone cancer?" in titles
    assert all(len(p["body"].get("text", "")) <= 3000 for p in posts)


@pytest.mark.e2e
def test_slack_event_with_a_bad_signature_is_refused(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    user, channel = "U" + uuid.uuid4().hex[:8].upper(), "D" + uuid.uuid4().hex[:8].upper()
    response = _slack_post(channel_servers, _slack_dm(user, channel, "forged"), "not-the-secret")
    assert response.status_code == 400
    assert provider.matching(_slack_to(channel)) == []
    # The same member's next, signed event: once it is answered, the refused one would have
    # been too.
    secret = SLACK["SLACK_SIGNING_SECRET"]
    assert _slack_post(channel_servers, _slack_dm(user, channel, "hello"), secret).ok
    turn(channel_servers, f"slack:{user}")
    assert _user_texts(channel_servers, f"slack:{user}") == ["hello"]


# --- Facebook Messenger ------------------------------------------------------------------------


@pytest.mark.e2e
def test_messenger_signed_message_is_answered_with_the_send_api(channel_servers, provider) -> None:  # type: ignore[no-untyped-def]
    psid = str(uuid.uuid4().int % 10**15)
    event = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE",
                "time": int(time.time() * 1000),
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "PAGE"},
                        "timestamp": int(time.time() * 1000),
                        "message": {"mid": "m." + uuid.uuid4().hex, "text": "hello"},
                    }
                ],
            }
        ],
    }
    body = json.dumps(event).encode()
    digest = hmac.new(FACEBOOK["FACEBOOK_SECRET"].encode(), body, hashlib.sha256).hexdigest()
    url = f"{channel_servers.url}/webhooks/facebook/webhook"
    headers = {"Content-Type": "application/json"}
    forged = requests.post(url, data=body, headers={**headers, "X-Hub-Signature-256": "sha256=0"})
    assert forged.status_code == 403
    signed = requests.post(
        url,
        data=body,
        headers={**headers, "X-Hub-Signature-256": f"sha256={digest}"},
        timeout=REPLY_S,
    )
    assert signed.ok
    turn(channel_servers, f"messenger:{psid}")
    sent = provider.matching(
        lambda c: c["path"] == "/v-test/me/messages"
        and c["body"].get("recipient", {}).get("id") == psid
        and "message" in c["body"]
    )
    texts = [c["body"]["message"].get("text", "") for c in sent]
    assert "not intended to diagnose" in "\n".join(texts)
    assert all(len(t) <= 2000 for t in texts)
    assert _user_texts(channel_servers, f"messenger:{psid}") == ["hello"]  # not the forged one


# --- emergencies with the action server down ---------------------------------------------------
#
# The 911 answer is a domain response sent by a rule, and the rules end a form with the built-in
# action_deactivate_loop (data/rules/emergency.yml): neither needs the action server. Each member
# below gets into their state (no form, question 2 of the red-flag screen, the stage explainer's
# first question) while the action server runs, on the REST webhook, the website widget
# (socket.io) or SMS; then the action server (the session's, which these servers share) is
# stopped and every member sends their emergency. The first reply must say to call 911, thoughts
# of self-harm must also get the 988 Lifeline, nothing may apologise for the missing action
# server, the form must be over and the emergency's category recorded.

CALL_911 = "call 911 or go to the nearest hospital"
LIFELINE = "988"
UNAVAILABLE = "can't do that right now"
TURN_S = 90
CHANNELS = ("rest", "widget", "sms")
# Plainly emergencies, one phrase per channel for each category.
PHRASES = {
    "medical": (
        "I'm having crushing chest pain and my left arm is numb",
        "my dad collapsed and isn't breathing",
        "my son is having a seizure right now",
    ),
    "labor": (
        "my water just broke and the contractions are two minutes apart",
        "I'm in labor and the baby is coming now",
        "I'm 38 weeks pregnant and my water broke",
    ),
    "self_harm": (
        "I want to kill myself",
        "I'm going to end my life tonight",
        "I have a plan to kill myself tonight",
    ),
}
# How a member gets into each state, and the form then running.
STATES = {
    "no form": ([], None),
    "red-flag screen": (["I want to start the back pain program", "no"], "back_pain_screen_form"),
    "stage explainer": (["what stage is my tumor?"], "stage_form"),
}


@dataclass(frozen=True)
class Case:
    channel: str
    state: str
    category: str

    @property
    def id(self) -> str:
        return f"{self.channel}-{self.state}-{self.category}".replace(" ", "_")

    @property
    def phrase(self) -> str:
        return PHRASES[self.category][CHANNELS.index(self.channel)]


CASES = [Case(c, s, k) for c in CHANNELS for s in STATES for k in PHRASES]


@dataclass
class Outcome:
    replies: list[str] = field(default_factory=list)
    tracker: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class Member:
    """One member on one channel: ``say`` returns the bubbles of the reply, in order."""

    def __init__(self, channel: str, server: Any, provider: Any) -> None:
        self.channel, self.server, self.provider = channel, server, provider
        self.widget: Widget | None = None
        if channel == "rest":
            self.sender = f"e2e-down-{uuid.uuid4()}"
        elif channel == "widget":
            self.widget = Widget(server.url)
            self.sender = self.widget.session()
        else:
            self.number = f"+1555{uuid.uuid4().int % 10**7:07d}"
            self.sender = f"sms:{self.number}"

    def say(self, text: str) -> list[str]:
        if self.channel == "rest":
            replies = post_waiting(
                f"{self.server.url}/webhooks/rest/webhook",
                json={"sender": self.sender, "message": text},
                headers=rest_headers(),
            ).json()
            return [r.get("text") or "" for r in replies]
        if self.widget is not None:
            seen = self.widget.turn({"message": text}, timeout=TURN_S)
            said = bubbles(seen)
            assert not any((b.get("metadata") or {}).get("refused") for b in said), said
            return [b.get("text") or "" for b in said]
        before = len(self.provider.matching(_sms_to(self.number)))
        users = self.user_count()
        response = _twilio_post(self.server, _sms_form(self.number, text))
        assert response.status_code == 204, response.status_code
        turn(self.server, self.sender, users + 1)
        return [c["body"]["Body"] for c in self.provider.matching(_sms_to(self.number))[before:]]

    def tracker(self) -> dict[str, Any]:
        response = requests.get(
            f"{self.server.url}/conversations/{quote(self.sender, safe='+:')}/tracker",
            params={"token": self.server.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def user_count(self) -> int:
        return sum(e.get("event") == "user" for e in self.tracker().get("events") or [])

    def close(self) -> None:
        if self.widget is not None:
            self.widget.close()


def _action_server_answers(servers: Any) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{servers.actions_port}/health", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def outcomes(servers, channel_servers, provider) -> dict[str, Outcome]:  # type: ignore[no-untyped-def]
    """Every case's emergency sent while the action server is down (started again after)."""
    results = {case.id: Outcome() for case in CASES}
    members: dict[str, Member] = {}
    try:
        assert _action_server_answers(servers), "the action server should be up to begin with"
        for case in CASES:
            try:
                member = members[case.id] = Member(case.channel, channel_servers, provider)
                texts, form = STATES[case.state]
                for text in texts:
                    member.say(text)
                running = (member.tracker().get("active_loop") or {}).get("name")
                assert running == form, f"before the emergency the form is {running}, not {form}"
            except Exception as error:  # noqa: BLE001 - reported by the case's own test
                results[case.id].error = f"getting into the state: {error!r}"
        servers.stop("actions")
        assert not _action_server_answers(servers), "the action server still answers"
        for case in CASES:
            if results[case.id].error is None:
                try:
                    results[case.id].replies = members[case.id].say(case.phrase)
                    results[case.id].tracker = members[case.id].tracker()
                except Exception as error:  # noqa: BLE001
                    results[case.id].error = f"the emergency turn: {error!r}"
    finally:
        for member in members.values():
            member.close()
        if "actions" not in servers.processes:
            servers.start_actions()
            servers.wait_ready()
    return results


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_emergency_is_answered_with_the_action_server_down(
    outcomes: dict[str, Outcome], case: Case
) -> None:
    outcome = outcomes[case.id]
    assert outcome.error is None, outcome.error
    replies = outcome.replies
    assert replies and CALL_911 in replies[0].lower(), f"first reply: {replies[:1]}"
    if case.category == "self_harm":
        assert any(LIFELINE in reply for reply in replies), replies
    assert not any(UNAVAILABLE in reply for reply in replies), replies
    assert not (outcome.tracker.get("active_loop") or {}).get("name"), "the form still runs"
    assert (outcome.tracker.get("slots") or {}).get("emergency_type") == case.category
