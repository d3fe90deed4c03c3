"""Load a trained model for offline evaluation without Rasa printing the texts it parses.

Rasa 3.6 logs every parsed message (``processor.message.parse ... parse_data_text=...``) at
DEBUG through structlog, whose default configuration prints to stdout; ``logging.disable``
does not stop it. Evaluation runs would then print held-out test texts (and, on a real
tracker, member text). ``load_agent`` configures structlog at WARNING first.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any


def quiet_rasa_logs() -> None:
    """Rasa's structlog at WARNING: no per-message debug lines."""
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


def load_agent(model: str | Path) -> Any:
    """``rasa.core.agent.Agent`` for ``model``, with Rasa's per-message debug lines off."""
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    return Agent.load(str(model))
