"""The website widget end to end: its page, its socket.io channel, and a real browser.

The browser part runs tests/browser/widget.spec.mjs (node's test runner, playwright-core,
Debian's chromium) against the servers of the ``servers`` fixture. A missing chromium or
node_modules fails the test (``ALLOW_MISSING=1`` skips it, on purpose only).
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from cluster import require

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOT = ROOT / "reports" / "widget-375.png"
REPLY_S = 60


@pytest.fixture
def page_url(servers) -> str:  # type: ignore[no-untyped-def]
    return f"{servers.url}/webhooks/widget/"


class Chat:
    """A socket.io client speaking the widget's protocol (sync client: pitfalls #3)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "bot_uttered", "history", "bot_typing"):
            self.client.on(name, self._recorder(name))
        self.client.connect(url, transports=["polling"], headers=headers or {}, wait_timeout=30)

    def _recorder(self, name: str) -> Any:
        return lambda data=None: self.events.put((name, data))

    def next(self, name: str, timeout: float = REPLY_S) -> Any:
        """The next event called ``name`` (others before it are dropped)."""
        while True:
            got, data = self.events.get(timeout=timeout)
            if got == name:
                return data

    def session(self, session_id: str | None = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        return str(self.next("session_confirm"))

    def say(self, session_id: str, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})

    def turn(self, session_id: str, text: str) -> list[dict[str, Any]]:
        """Send a message; the bot's bubbles until the typing indicator goes off."""
        self.say(session_id, text)
        bubbles: list[dict[str, Any]] = []
        while True:
            got, data = self.events.get(timeout=REPLY_S)
            if got == "bot_uttered":
                bubbles.append(data)
            elif got == "bot_typing" and not data.get("typing"):
                return bubbles

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def chat(servers) -> Iterator[Chat]:  # type: ignore[no-untyped-def]
    client = Chat(servers.url)
    yield client
    client.close()


def test_page_and_assets_are_served_same_origin_with_security_headers(page_url: str) -> None:
    page = requests.get(page_url, timeout=30)
    assert page.status_code == 200
    assert 'id="mh-chat"' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # No CDN, tracker or analytics: every script, stylesheet and link is relative (same origin).
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)
    for asset in ("widget.js", "widget.css", "vendor/socket.io.min.js"):
        response = requests.get(page_url + asset, timeout=30)
        assert response.status_code == 200, asset
        assert len(response.content) > 500, asset
    assert requests.get(page_url.rstrip("/"), timeout=30).url == page_url  # redirected


@pytest.mark.parametrize(
    "path", ["credentials.yml", "../credentials.yml", "%2e%2e/credentials.yml", "index.html.bak"]
)
def test_only_the_widget_files_are_served(page_url: str, path: str) -> None:
    assert requests.get(page_url + path, timeout=30).status_code == 404


def test_socket_answers_and_marks_the_welcome_as_not_an_emergency(chat: Chat) -> None:
    session = chat.session()
    bubbles = chat.turn(session, "hello")
    text = "\n".join(b.get("text") or "" for b in bubbles)
    assert "not intended to diagnose" in text
    assert not any((b.get("metadata") or {}).get("emergency") for b in bubbles)
    assert any(b.get("quick_replies") for b in bubbles)


def test_socket_refuses_a_too_long_message_before_rasa(servers, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    session = chat.session()
    chat.say(session, "my back hurts " * 200)
    reply = chat.next("bot_uttered")
    assert "too long" in reply["text"]
    assert reply["metadata"] == {"refused": True}
    tracker = requests.get(
        f"{servers.url}/conversations/{session}/tracker",
        params={"token": servers.token},
        timeout=30,
    ).json()
    assert not [e for e in tracker.get("events", []) if e.get("event") == "user"]


def test_socket_sends_the_history_to_a_reloaded_page(servers) -> None:  # type: ignore[no-untyped-def]
    first = Chat(servers.url)
    session = first.session()
    first.turn(session, "What is bone cancer?")
    first.close()

    second = Chat(servers.url)
    try:
        assert second.session(session) == session
        history = second.next("history")
    finally:
        second.close()
    assert {"sender": "user", "text": "What is bone cancer?"} in history
    assert any("primary bone cancer" in (h.get("text") or "") for h in history)


def test_socket_gives_a_new_session_for_an_invalid_id(chat: Chat) -> None:
    session = chat.session("not a valid id!")
    assert session != "not a valid id!" and session.startswith("widget:")


def test_socket_refuses_another_sites_origin(servers) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(socketio.exceptions.ConnectionError):
        Chat(servers.url, headers={"Origin": "https://attacker.example"})
    same = Chat(servers.url, headers={"Origin": servers.url})
    same.close()


def test_widget_in_a_real_browser(request: pytest.FixtureRequest) -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    require(
        (ROOT / "node_modules" / "playwright-core").is_dir()
        and (ROOT / "node_modules" / "socket.io-client").is_dir(),
        "node_modules is missing: run 'npm ci'",
    )
    servers = request.getfixturevalue("servers")  # started only once the browser can run
    SCREENSHOT.unlink(missing_ok=True)
    env = {
        **os.environ,
        "WIDGET_URL": f"{servers.url}/webhooks/widget/",
        "SCREENSHOT_PATH": str(SCREENSHOT),
        "CHROMIUM_PATH": str(CHROMIUM),
    }
    result = subprocess.run(
        [str(node), "--test", "--test-reporter=spec", "tests/browser/widget.spec.mjs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, f"{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
    assert SCREENSHOT.exists() and SCREENSHOT.stat().st_size > 20_000
