"""The action server's endpoint, sending the conversation encoded by ujson (issue 20).

Every custom action call carries the whole conversation (``tracker.current_state``) as JSON,
which aiohttp encodes with the standard library: 7.6 % of the Rasa server's busy time at 10
members (py-spy, after DIET moved to NumPy). ujson (a pinned dependency of Rasa and Sanic)
encodes the same value about 2.7 times faster. ``JsonEndpointConfig`` is Rasa's
``EndpointConfig`` with its public ``session()`` giving aiohttp that encoder; a value ujson
refuses is encoded by the standard library as before (NaN, infinities and big integers ujson
writes as the standard library does: tests/unit/test_action_endpoint.py).

``install(app)`` (``member_health_rasa.ops.extensions``) puts it in place once Rasa has loaded
the agent (``after_server_start``): on the agent and its message processor, from which every
remote action takes its endpoint. A model loaded later through ``PUT /model`` gets Rasa's own
endpoint again: the same requests, encoded by the standard library.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

logger = logging.getLogger(__name__)


def dumps(value: Any) -> str:
    """JSON text of ``value``: ujson's, or the standard library's where ujson refuses it."""
    try:
        return str(ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False))
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


class JsonEndpointConfig(EndpointConfig):
    """``EndpointConfig`` whose sessions encode request bodies with ``dumps``."""

    @classmethod
    def of(cls, endpoint: EndpointConfig) -> JsonEndpointConfig:
        """The same endpoint (URL, parameters, headers, auth, token, CA file, options)."""
        copy = cls(
            url=endpoint.url,
            params=endpoint.params,
            headers=endpoint.headers,
            basic_auth=endpoint.basic_auth,
            token=endpoint.token,
            token_name=endpoint.token_name,
            cafile=endpoint.cafile,
            **endpoint.kwargs,
        )
        copy.type = endpoint.type
        return copy

    def session(self) -> aiohttp.ClientSession:
        """Rasa's session (headers, basic auth, timeout) with ``dumps`` as its JSON encoder."""
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            json_serialize=dumps,
        )


def use_json_endpoint(agent: Any) -> bool:
    """Give ``agent`` and its processor the ``JsonEndpointConfig`` of their action endpoint."""
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or isinstance(endpoint, JsonEndpointConfig):
        return False
    agent.action_endpoint = JsonEndpointConfig.of(endpoint)
    if getattr(agent, "processor", None) is not None:
        agent.processor.action_endpoint = agent.action_endpoint
    return True


def install(app: Any) -> None:
    """Swap the endpoint in once the server has loaded its agent."""

    async def swap(running: Any, _loop: Any) -> None:
        if use_json_endpoint(getattr(running.ctx, "agent", None)):
            logger.info("custom action requests are encoded with ujson")

    app.register_listener(swap, "after_server_start")
