"""Every extension of the Rasa server that cannot be a supported class, installed in one place.

Rasa's supported extension points are classes named in the configuration: the tracker store
(``member_health_rasa.ops.tracker_store``, which also pools and tunes a SQLite file), the NLG
(``ops.plan_responses``), the channels (``member_health_rasa.channels``), the NLU components and
policies (config.yml). What none of them can do is installed here, at the server's start:

- ``request guards``: body caps, 413s for over-long NLU texts and 400s for malformed API bodies
  on every route (``ops.server_hooks``; Sanic's public API only);
- ``action guard``: a custom action that fails or hangs answers the member (``ops.action_guard``);
- ``action reply validator``: the custom action reply's schema compiled once, each event checked
  against its own type's schema (``ops.speedups``);
- ``action requests in ujson``: the action endpoint, once the agent is loaded, encodes the
  conversation it sends with ujson (``ops.action_endpoint``: a subclass of Rasa's
  ``EndpointConfig``, not a patch).

The action guard and the reply validator are private patches of Rasa (``EXTENSIONS`` gives
each one's reason). Each has an equivalence or behaviour test in tests/unit, and ``python -m
member_health_rasa.bench.patches`` measures what a speedup gains.

**Where they are installed, and why there.** Every Rasa server of this project is started by
``member_health_rasa.ops.rasa_entry`` (``make run`` via ``tools/serve.py``, ``make shell``, the
end-to-end tests, ``make bench``, the scale-out replicas). Before Rasa's CLI parses its arguments,
the entry point calls ``register()``: a Rasa plugin (Rasa's own pluggy manager,
``rasa.plugin.plugin_manager``) whose ``configure_commandline`` hook adds one Sanic listener to
the ``server_listeners`` argument of ``rasa run`` and ``rasa shell``. Rasa hands it to
``rasa.core.run.configure_app``, which registers it on the app after its HTTP API and every
channel's blueprint, and Sanic calls it (``main_process_start``) once, before its routers are
finalised and before any worker is forked. Nothing in that path depends on credentials.yml or
endpoints.yml: it runs the same with no channel but the command line, with the REST channel
removed, or with another tracker or lock store. (It used to hang on the REST channel's blueprint
and the tracker store's constructor: without that channel or store the guards silently vanished.)
A Rasa server started another way (plain ``rasa run``) has none of them: the log line
``installed: ...`` at start says which a server has.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from sanic import Sanic

logger = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("rasa")
SERVER_COMMANDS = {("rasa.cli.run", "run"), ("rasa.cli.shell", "shell")}


def _request_guards(app: Sanic) -> None:
    from member_health_rasa.ops import server_hooks

    server_hooks.install(app)


def _action_guard(_: Sanic) -> None:
    from member_health_rasa.ops import action_guard

    action_guard.install()


def _action_reply_validator(_: Sanic) -> None:
    from member_health_rasa.ops import speedups

    speedups.install_cached_validator()


def _action_endpoint(app: Sanic) -> None:
    from member_health_rasa.ops import action_endpoint

    action_endpoint.install(app)


@dataclass(frozen=True)
class Extension:
    """One extension: its name in the start-up log, how to install it, why it is a patch."""

    name: str
    install: Callable[[Sanic], None]
    patch: str | None = None  # the reason a private Rasa function is replaced, if one is


EXTENSIONS = (
    Extension("request guards", _request_guards),
    Extension(
        "action guard",
        _action_guard,
        patch="RemoteAction.run: Rasa 3.6 has no timeout setting (fixed 5 min) and no hook for "
        "a failed custom action (the turn ends in silence)",
    ),
    Extension(
        "action reply validator",
        _action_reply_validator,
        patch="RemoteAction._validate_action_result: Rasa re-checks the constant schema on "
        "every custom action reply (36 % of busy time; 96 % of the call, bench.patches)",
    ),
    Extension("action requests in ujson", _action_endpoint),
)


def install_all(app: Sanic) -> list[str]:
    """Install every extension on ``app`` and this process (once); log and return their names."""
    installed = getattr(app.ctx, "member_health_extensions", None)
    if installed is not None:
        return list(installed)
    names = []
    for extension in EXTENSIONS:
        extension.install(app)
        names.append(extension.name)
    app.ctx.member_health_extensions = tuple(names)
    logger.info("installed: %s", ", ".join(names))
    return names


def on_main_process_start(app: Sanic, _loop: Any) -> None:
    """The Sanic listener ``rasa run`` gets (``main_process_start``)."""
    install_all(app)


class RasaPlugin:
    """Adds ``on_main_process_start`` to the server listeners of ``rasa run`` and ``rasa shell``."""

    @hookimpl
    def configure_commandline(self, cmdline_arguments: Any) -> None:
        func = getattr(cmdline_arguments, "func", None)
        if (getattr(func, "__module__", None), getattr(func, "__name__", None)) in SERVER_COMMANDS:
            listeners = list(getattr(cmdline_arguments, "server_listeners", None) or [])
            listeners.append((on_main_process_start, "main_process_start"))
            cmdline_arguments.server_listeners = listeners


def register() -> None:
    """Register the plugin with Rasa (once per process); called by ``ops.rasa_entry``."""
    from rasa.plugin import plugin_manager

    manager = plugin_manager()
    if not any(isinstance(plugin, RasaPlugin) for plugin in manager.get_plugins()):
        manager.register(RasaPlugin())
