"""Guards on the Rasa server's Sanic app, installed when the server starts
(``member_health_rasa.ops.extensions``), whichever channels are configured.

Only Sanic's public API: its config, a routing signal, middleware and exception handlers.

- Body size (both caps from ``member_health.limits``): every request body is capped at
  ``MAX_API_BODY_BYTES`` (Sanic's ``REQUEST_MAX_SIZE``, default 1 MiB instead of Sanic's 100 MB):
  Sanic stops reading at the cap and answers 413. The public webhooks and the NLU routes are
  capped at ``MAX_BODY_BYTES`` (default 16 KB): a body that declares more (``Content-Length``)
  gets the 413 before it is read, a chunked one once read (within the larger cap), so a huge
  message never reaches NLU (a 120 KB message drove a stock server past 6 GB).
- Over-long texts for NLU on the HTTP API get a 413 before NLU. A malformed API body (invalid
  JSON or UTF-8, a list where an object is expected) that makes Rasa's handler fail gets a 400
  with a reason instead of a 500. Rasa's token check still answers first (401).
"""
from __future__ import annotations

import re
from typing import Any

from rasa.server import ErrorResponse
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from member_health.limits import MAX_API_BODY_BYTES, MAX_BODY_BYTES, MAX_MESSAGE_CHARS, Refusal
from member_health_rasa.ops.input_policy import parse_json

SMALL_BODY_PATHS = re.compile(r"^/(webhooks/|model/parse$|conversations/.+/messages$)")
CONVERSATION = r"/conversations/.+"
# (method, path, accepted JSON types, field holding text for NLU)
JSON_ROUTES: tuple[tuple[str, re.Pattern[str], tuple[type, ...], str | None], ...] = (
    ("POST", re.compile(r"^/model/parse$"), (dict,), "text"),
    ("POST", re.compile(rf"^{CONVERSATION}/messages$"), (dict,), "text"),
    ("POST", re.compile(rf"^{CONVERSATION}/trigger_intent$"), (dict,), None),
    ("POST", re.compile(rf"^{CONVERSATION}/execute$"), (dict,), None),
    ("POST", re.compile(rf"^{CONVERSATION}/tracker/events$"), (dict, list), None),
    ("PUT", re.compile(rf"^{CONVERSATION}/tracker/events$"), (dict, list), None),
    ("POST", re.compile(r"^/model/predict$"), (list,), None),
    ("PUT", re.compile(r"^/model$"), (dict,), None),
)


def refusal_response(refusal: Refusal) -> HTTPResponse:
    """The JSON answer for a refused request."""
    return response.json({"status": refusal.status, "reason": refusal.reason}, refusal.status)


def api_refusal(method: str, path: str, body: bytes | None) -> Refusal | None:
    """Why an HTTP API request body is malformed (400), if it is."""
    for route_method, pattern, types, text_field in JSON_ROUTES:
        if method != route_method or not pattern.match(path):
            continue
        value, refusal = parse_json(body, types)
        if refusal:
            return refusal
        if text_field and not isinstance(value.get(text_field), str):
            return Refusal(400, f"'{text_field}' must be a string")
        return None
    return None


def text_refusal(method: str, path: str, body: bytes | None) -> Refusal | None:
    """A 413 when a well-formed body carries more text for NLU than ``MAX_MESSAGE_CHARS``."""
    for route_method, pattern, types, text_field in JSON_ROUTES:
        if text_field and method == route_method and pattern.match(path):
            value, refusal = parse_json(body, types)
            text = None if refusal else value.get(text_field)
            if isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS:
                return Refusal(
                    413, f"'{text_field}' must be at most {MAX_MESSAGE_CHARS} characters"
                )
    return None


def declared_length(request: Request) -> int:
    """The body size the request declares (``Content-Length``); 0 when chunked or malformed."""
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


def too_large_refusal(request: Request) -> Refusal:
    """The 413 for a body over its route's cap."""
    limit = MAX_BODY_BYTES if SMALL_BODY_PATHS.match(request.path) else MAX_API_BODY_BYTES
    return Refusal(413, f"the request body must be at most {limit} bytes")


def install(app: Sanic) -> None:
    """Install the guards on ``app`` (once), before the server starts."""
    if getattr(app.ctx, "member_health_guards", False):
        return
    app.ctx.member_health_guards = True
    app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), MAX_API_BODY_BYTES)

    @app.signal("http.routing.after")
    async def small_bodies(request: Request, **_: Any) -> None:
        """The webhooks and NLU routes: a body declared over the cap is refused unread."""
        if SMALL_BODY_PATHS.match(request.path) and declared_length(request) > MAX_BODY_BYTES:
            raise PayloadTooLarge("Request body exceeds the size limit")

    @app.middleware("request")
    async def small_chunked_bodies(request: Request) -> HTTPResponse | None:
        """The same cap for a body sent without ``Content-Length`` (chunked), once read.
        (Returns, never raises: Sanic runs request middleware again while handling an error.)"""
        if SMALL_BODY_PATHS.match(request.path) and len(request.body or b"") > MAX_BODY_BYTES:
            return refusal_response(too_large_refusal(request))
        return None

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, _: Exception) -> HTTPResponse:
        return refusal_response(too_large_refusal(request))

    @app.middleware("request")
    async def long_texts(request: Request) -> HTTPResponse | None:
        """413 before NLU for an over-long text, once the caller presented credentials."""
        if "token" not in request.args and "authorization" not in request.headers:
            return None  # Rasa's token check answers 401
        refusal = text_refusal(request.method, request.path, request.body)
        return refusal_response(refusal) if refusal else None

    # After Rasa's token check: a handler that failed on a malformed body answers 400, not 500.
    @app.exception(ErrorResponse)
    async def rasa_error(request: Request, error: ErrorResponse) -> HTTPResponse:
        refusal = api_refusal(request.method, request.path, request.body)
        if int(error.status) >= 500 and refusal:
            return refusal_response(refusal)
        return response.json(error.error_info, status=error.status)  # Rasa's own handler

    @app.exception(Exception)
    async def server_error(request: Request, error: Exception) -> HTTPResponse:
        refusal = api_refusal(request.method, request.path, request.body)
        if int(getattr(error, "status_code", 500)) >= 500 and refusal:
            return refusal_response(refusal)
        return app.error_handler.default(request, error)
