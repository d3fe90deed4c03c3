"""Helpers for talking to the running servers."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from chat import rest_headers


@pytest.fixture
def sender() -> str:
    return f"e2e-{uuid.uuid4()}"


@pytest.fixture
def say(servers) -> Callable[[str, str], list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    def _say(sender: str, text: str) -> list[dict[str, Any]]:
        response = requests.post(
            f"{servers.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=rest_headers(),
            timeout=90,
        )
        response.raise_for_status()
        return response.json()

    return _say


@pytest.fixture
def tracker(servers) -> Callable[[str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    def _tracker(sender: str) -> dict[str, Any]:
        response = requests.get(
            f"{servers.url}/conversations/{sender}/tracker",
            params={"token": servers.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    return _tracker
