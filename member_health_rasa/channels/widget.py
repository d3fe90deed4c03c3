"""The website chat widget: Rasa's socket.io channel, bounded, that also serves the widget.

``credentials.yml`` names ``member_health_rasa.channels.widget.WidgetInput`` instead of
``socketio``. On top of Rasa's channel it:

- serves the demo page, ``web/`` and socket.io-client (from ``node_modules``) at
  ``/webhooks/widget/``, so page and socket share one origin (no CDN, no CORS);
- accepts socket.io connections only from that origin or the configured
  ``cors_allowed_origins`` (default: the ``WIDGET_ORIGIN`` variable; a site that embeds the
  widget);
- resumes only sessions it issued: ``session_confirm`` hands out ``widget:<random>.<HMAC>``
  (``member_health_rasa.ops.identity``, key ``WIDGET_SESSION_SECRET``), bound to the socket (sid); a
  ``session_request`` with any other id (unsigned, forged, another channel's) gets a new id and
  no history, and ``user_uttered`` ignores the client's ``session_id`` field (the bound session
  is used; a socket without one is given a new one);
- limits messages per session and per client address (a polite bubble,
  ``member_health_rasa.ops.rate_limit``); emergencies skip the limits and the queue;
- refuses over-long messages with a bot message instead of handing them to Rasa (``limits``),
  reads an unoffered ``/intent{...}`` as plain text and ignores client-sent metadata;
- sends the conversation's history on ``session_request`` (page reloads), a ``bot_typing``
  event around each turn, and marks the emergency response (``metadata.emergency``);
- joins the session's room with or without ``await`` (python-socketio 5.10 made it a coroutine,
  docs/rasa-3.6-pitfalls.md #2).
"""
from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from member_health.channel_format import bubbles, chat_history
from member_health.limits import MAX_BODY_BYTES
from member_health.paths import ROOT
from member_health_rasa.channels.common import TOO_LONG_REPLY, inbound, resolve_text
from member_health_rasa.ops.identity import issue_session, session_key, valid_session
from member_health_rasa.ops.rate_limit import Limiter, TurnGate, is_emergency

logger = logging.getLogger(__name__)

WEB_DIR = ROOT / "web"
SOCKET_IO_CLIENT = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
FILES = {
    "": (WEB_DIR / "index.html", "text/html; charset=utf-8"),
    "widget.js": (WEB_DIR / "widget.js", "text/javascript; charset=utf-8"),
    "widget.css": (WEB_DIR / "widget.css", "text/css; charset=utf-8"),
    "vendor/socket.io.min.js": (SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
RATE_LIMITED_REPLY = (
    "You're sending messages faster than I can read them. Please wait a few seconds and try "
    "again. If this is an emergency, call 911 now."
)


class WidgetOutput(SocketIOOutput):
    """Sends each paragraph as a bubble, buttons on the last, emergency replies marked."""

    async def _send_bubbles(self, recipient_id: str, message: dict[str, Any]) -> None:
        for bubble in bubbles(message):
            await self._send_message(recipient_id, bubble)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text reply."""
        await self._send_bubbles(recipient_id, {**kwargs, "text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send a text reply with buttons (rendered as quick replies by the widget)."""
        await self._send_bubbles(recipient_id, {**kwargs, "text": text, "buttons": buttons})


class _WidgetBlueprint(SocketBlueprint):
    """Attaches socket.io to the app and remembers the app (for the tracker store)."""

    def __init__(self, channel: WidgetInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.channel.app = app
        super().register(app, options)


# Extra allowed origins when credentials.yml names none (it holds no ${VAR}: plain `rasa run`).
WIDGET_ORIGIN_ENV = "WIDGET_ORIGIN"


def _origins(value: Any) -> list[str]:
    """Configured extra origins: a list or a comma-separated string."""
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


class WidgetInput(SocketIOInput):
    """socket.io channel for the website widget; serves the widget at ``/webhooks/widget/``."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def url_prefix(self) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WidgetInput)
        origins = credentials.get("cors_allowed_origins") or os.environ.get(WIDGET_ORIGIN_ENV)
        channel.extra_origins = _origins(origins)
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_origins: list[str] = []
        self.app: Sanic | None = None
        self.session_key = session_key()  # never logged
        self.sessions: dict[str, str] = {}  # socket sid -> the session it was given
        self.addresses: dict[str, str] = {}  # socket sid -> client address
        self.limiter = Limiter.from_env()
        self.gate = TurnGate.from_env()

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel for the HTTP API (``/conversations/.../execute``)."""
        if self.sio is None:
            return None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def origin_allowed(self, origin: str | None, environ: dict[str, Any]) -> bool:
        """Same origin as the request's host, or one of ``cors_allowed_origins``."""
        if not origin:
            return True  # not a browser: nothing cross-site to protect
        origin = origin.rstrip("/")
        # The scheme follows X-Forwarded-Proto (python-engineio); a proxy must keep the Host.
        same = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST')}"
        return origin == same or origin in self.extra_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes for the widget's files and the socket.io event handlers."""
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.origin_allowed,
            max_http_buffer_size=MAX_BODY_BYTES,
        )
        self.sio = sio
        bp = _WidgetBlueprint(self, sio, self.socketio_path, "widget_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/")
            return await _serve("")

        @bp.route("/<name:path>", methods=["GET"])
        async def files(_: Request, name: str) -> HTTPResponse:
            return await _serve(name)

        async def join(sid: str, room: str) -> None:
            joined = sio.enter_room(sid, room, namespace=self.namespace)
            if inspect.isawaitable(joined):
                await joined

        async def bind(sid: str, session_id: str) -> None:
            """Give the socket this session (and only this one): its room, its messages."""
            old = self.sessions.get(sid)
            if old and old != session_id:
                left = sio.leave_room(sid, old, namespace=self.namespace)
                if inspect.isawaitable(left):
                    await left
            self.sessions[sid] = session_id
            await join(sid, session_id)

        async def say(sid: str, text: str, **metadata: Any) -> None:
            await sio.emit(
                self.bot_message_evt,
                {"text": text, "metadata": metadata},
                room=sid,
                namespace=self.namespace,
            )

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self.sessions.pop(sid, None)
            self.addresses.pop(sid, None)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            request = environ.get("sanic.request")
            address = getattr(request, "remote_addr", "") or getattr(request, "ip", "")
            self.addresses[sid] = str(address or "")
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(
                token
                and rasa.core.channels.channel.decode_bearer_token(
                    token, self.jwt_key, self.jwt_algorithm
                )
            )

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            resumed = self.session_persistence and valid_session(self.session_key, wanted)
            session_id = str(wanted) if resumed else issue_session(self.session_key)
            await bind(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            if resumed:
                history = await self._history(session_id)
                await sio.emit("history", history, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            # The client's "session_id" field is never read: only the session bound to this
            # socket by session_request (a signed id) may be spoken for.
            session_id = self.sessions.get(sid)
            if session_id is None:  # no session_request on this connection: a new session
                session_id = issue_session(self.session_key)
                await bind(sid, session_id)
                await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            sender, text, refusal = inbound(session_id, data.get("message", ""))
            if refusal is not None:
                logger.info("widget: refused a message (%s)", refusal.reason)
                reply = TOO_LONG_REPLY if refusal.status == 413 else refusal.reason
                await say(sid, reply, refused=True)
                return
            if sender is None or text is None:
                return
            emergency = is_emergency(text)
            if not emergency and self.limiter.check(sender, self.addresses.get(sid)):
                refused = self.limiter.refused()
                if refused:
                    logger.warning("widget: rate limited %d message(s) since last noted", refused)
                await say(sid, RATE_LIMITED_REPLY, refused=True, rate_limited=True)
                return
            room = sender
            await join(sid, room)
            text = await resolve_text(self.app, sender, text)
            output = WidgetOutput(sio, self.bot_message_evt)
            await sio.emit("bot_typing", {"typing": True}, room=room, namespace=self.namespace)
            try:
                # No client metadata: nothing the browser sends may steer the actions.
                async with self.gate.turn(emergency):
                    await on_new_message(
                        UserMessage(text, output, sender, input_channel=self.name())
                    )
            finally:
                await sio.emit("bot_typing", {"typing": False}, room=room, namespace=self.namespace)

        return bp

    async def _history(self, session_id: str) -> list[dict[str, Any]]:
        """The conversation so far, for a page that was reloaded."""
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return []
        try:
            tracker = await store.retrieve(session_id)
        except Exception:
            logger.exception("widget: could not read the history of %s", session_id)
            return []
        if tracker is None:
            return []
        return chat_history([event.as_dict() for event in tracker.events])


async def _serve(name: str) -> HTTPResponse:
    """One of the widget's files, with security headers; anything else is a 404."""
    if name not in FILES:
        return response.text("not found", status=404)
    path, content_type = FILES[name]
    if not path.exists():
        logger.error("widget: %s is missing (run 'make setup', which runs 'npm ci')", path)
        return response.text(f"{path.name} is missing: run 'make setup'", status=503)
    return await response.file(path, mime_type=content_type, headers=SECURITY_HEADERS)
