"""The action endpoint that encodes with ujson: the same JSON reaches a real HTTP server, the
standard library takes what ujson refuses, and the endpoint's settings are kept."""
from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from aiohttp import web
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from member_health.paths import ROOT
from member_health_rasa.ops.action_endpoint import JsonEndpointConfig, dumps, use_json_endpoint


def tracker_state() -> dict[str, Any]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "member-1",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "what's osteosarcoma? / “quoted” é ✓",
                {"name": "faq", "confidence": 0.987654321},
                parse_data={"intent_ranking": [{"name": "faq", "confidence": 1e-9}]},
            ),
            SlotSet("tumor_size_cm", 8.5),
            ActionExecuted("utter_faq"),
        ],
        slots=domain.slots,
    )
    return tracker.current_state(EventVerbosity.ALL)


def test_dumps_gives_the_standard_librarys_value() -> None:
    state = tracker_state()
    assert json.loads(dumps(state)) == json.loads(json.dumps(state))


@pytest.mark.parametrize("value", [math.nan, math.inf, 2**70, -(2**80), 1e-300, "\u2028"])
def test_edge_values_are_encoded_as_the_standard_library_does(value: Any) -> None:
    assert dumps({"x": value}) == json.dumps(
        {"x": value}, separators=(",", ":"), ensure_ascii=False
    )


def test_the_endpoint_keeps_rasas_settings() -> None:
    stock = EndpointConfig(
        url="http://localhost:5055/webhook",
        params={"a": "1"},
        headers={"X-Test": "1"},
        basic_auth={"username": "u", "password": "p"},
        token="secret",
        token_name="tok",
        cafile=None,
        type="rest",
        selective_domain=True,
    )
    ours = JsonEndpointConfig.of(stock)
    assert ours == stock and ours.cafile == stock.cafile and ours.type == stock.type
    assert ours.kwargs == stock.kwargs == {"selective_domain": True}


def test_use_json_endpoint_swaps_the_agents_and_processors_endpoint_once() -> None:
    class Processor:
        action_endpoint = None

    class Agent:
        action_endpoint = EndpointConfig(url="http://localhost:5055/webhook")
        processor = Processor()

    agent = Agent()
    assert use_json_endpoint(agent)
    assert isinstance(agent.action_endpoint, JsonEndpointConfig)
    assert agent.processor.action_endpoint is agent.action_endpoint
    assert not use_json_endpoint(agent)  # already swapped
    assert not use_json_endpoint(None)  # no agent loaded


def test_a_real_server_receives_the_same_json_and_its_reply_comes_back(
    unused_tcp_port: int,
) -> None:
    state = tracker_state()
    received: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("Content-Type")))
        return web.json_response({"events": [], "responses": []})

    async def scenario() -> Any:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
        try:
            endpoint = JsonEndpointConfig.of(
                EndpointConfig(url=f"http://127.0.0.1:{unused_tcp_port}/webhook")
            )
            return await endpoint.request(json={"tracker": state}, method="post", timeout=5)
        finally:
            await runner.cleanup()

    reply = asyncio.run(scenario())
    assert reply == {"events": [], "responses": []}
    [(body, content_type)] = received
    assert body == json.loads(json.dumps({"tracker": state}))
    assert content_type == "application/json"


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
