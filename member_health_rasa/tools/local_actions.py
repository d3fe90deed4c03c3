"""An action server for one editor tool (``make shell``, ``make preview``), stopped afterwards.

Started on a free loopback port through the launcher's own code
(``member_health_rasa/tools/serve.py``: the allow-listed environment, logs readable by their owner
only), so a server already running on 5055 is neither needed nor disturbed.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from member_health_rasa.tools.serve import Servers, point_actions_at, private_dir, private_file


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def action_server(log_dir: Path) -> Iterator[str]:
    """Run ``rasa run actions`` until the block ends; yields its webhook URL."""
    port = free_port()
    servers = Servers(token="", actions_port=port, rasa_port=port, log_dir=log_dir)
    servers.start_actions()
    try:
        servers.wait_ready()
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        servers.stop()


def editor_endpoints(source: Path, action_url: str, out: Path) -> Path:
    """``source`` with the action endpoint at ``action_url`` and no tracker store.

    Without a tracker store Rasa keeps the conversation in memory: an editor's test chat never
    reaches the member conversations, the content report or the purge.
    """
    config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    point_actions_at(config, action_url)
    config.pop("tracker_store", None)
    config.pop("lock_store", None)
    private_dir(out.parent)
    with private_file(out, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return out
