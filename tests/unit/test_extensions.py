"""ops.extensions: one place installs every Rasa extension, whatever the channels and stores.

Rasa's own CLI parser and ``rasa run`` path are used; only ``serve_application`` (which would
start the server) is replaced by a recorder.
"""
from __future__ import annotations

import functools
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rasa.core.run
import rasa.core.tracker_store
from rasa.__main__ import create_argument_parser
from rasa.core.actions.action import RemoteAction
from rasa.plugin import plugin_manager
from rasa.shared.core.events import Event
from sanic import Sanic

from member_health_rasa.ops import extensions
from member_health_rasa.tools.serve import CREDENTIALS_FILES, ROOT, runtime_credentials

RASA_ORIGINALS = {
    "RemoteAction.run": (RemoteAction, "run"),
    "RemoteAction._validate_action_result": (RemoteAction, "_validate_action_result"),
    "Event.resolve_by_type": (Event, "resolve_by_type"),
    "create_engine_kwargs": (rasa.core.tracker_store, "create_engine_kwargs"),
}


@pytest.fixture(autouse=True)
def several_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test builds Rasa's app ("rasa_server"); Sanic refuses a name twice outside tests."""
    monkeypatch.setattr(Sanic, "test_mode", True)


def rasa_functions() -> dict[str, Any]:
    return {name: getattr(owner, attr) for name, (owner, attr) in RASA_ORIGINALS.items()}


@pytest.fixture
def restore_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's functions as they were before the test (``install_all`` patches the process)."""
    for owner, attr in RASA_ORIGINALS.values():
        monkeypatch.setattr(owner, attr, getattr(owner, attr))


IMPORT_AND_CHECK = """
import sys, tempfile
from rasa.core.actions.action import RemoteAction
import rasa.core.tracker_store
from rasa.shared.core.events import Event
def rasa_functions():
    return [RemoteAction.run, RemoteAction._validate_action_result, Event.resolve_by_type,
            rasa.core.tracker_store.create_engine_kwargs]
before = rasa_functions()
assert all(f.__module__.startswith("rasa.") for f in before), before
import member_health_rasa.ops.extensions, member_health_rasa.ops.speedups
import member_health_rasa.ops.action_guard, member_health_rasa.ops.server_hooks
import member_health_rasa.channels.rest, member_health_rasa.channels.telegram
from member_health_rasa.ops.tracker_store import PrivacySQLTrackerStore
with tempfile.TemporaryDirectory() as tmp:
    PrivacySQLTrackerStore(dialect="sqlite", db=tmp + "/t.db").engine.dispose()
sys.exit(0 if rasa_functions() == before else 1)
"""


def test_importing_the_modules_or_making_a_store_patches_nothing() -> None:
    """In a fresh process: this test session may have installed the extensions already."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_CHECK], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def parse(*argv: str) -> Any:
    return create_argument_parser().parse_args(list(argv))


@pytest.mark.parametrize(
    "argv, listens",
    [
        (["run", "--enable-api"], True),
        (["run", "--credentials", "credentials.yml", "--connector", "rest"], True),
        (["shell"], True),
        (["run", "actions", "--actions", "actions"], False),
        (["train"], False),
    ],
)
def test_the_plugin_adds_the_listener_to_server_commands_only(
    argv: list[str], listens: bool
) -> None:
    args = parse(*argv)
    extensions.RasaPlugin().configure_commandline(args)
    listeners = getattr(args, "server_listeners", None) or []
    expected = [(extensions.on_main_process_start, "main_process_start")]
    assert listeners == (expected if listens else [])


def test_register_is_idempotent_and_rasa_calls_the_hook() -> None:
    manager = plugin_manager()
    before = list(manager.get_plugins())
    try:
        extensions.register()
        extensions.register()
        ours = [p for p in manager.get_plugins() if isinstance(p, extensions.RasaPlugin)]
        assert len(ours) == 1
        args = parse("run", "--enable-api")
        assert manager.hook.configure_commandline(cmdline_arguments=args) == []  # no endpoints
        assert args.server_listeners[-1][0] is extensions.on_main_process_start
    finally:
        for plugin in manager.get_plugins():
            if plugin not in before:
                manager.unregister(plugin)


TELEGRAM_ONLY = (
    "member_health_rasa.channels.telegram.TelegramBotInput:\n"
    "  access_token: '123456:test'\n  webhook_url: https://bot.example.org/webhook\n"
    "  secret_token: test-secret\n"
)


@pytest.mark.parametrize(
    "credentials",
    ["{}", "rest:\n", TELEGRAM_ONLY, "PROJECT"],
    ids=["no-channel", "stock-rest", "telegram-only", "project"],
)
def test_rasa_run_registers_the_listener_on_the_app_whatever_the_channels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_rasa: None, credentials: str
) -> None:
    model = ROOT / (ROOT / "models" / "current.txt").read_text().strip()
    if not model.exists():
        pytest.fail(f"no model at {model}: make train")
    path = tmp_path / "credentials.yml"
    if credentials == "PROJECT":  # what make run uses with no channel variable set
        runtime_credentials(CREDENTIALS_FILES, path, env={})
    else:
        path.write_text(credentials, encoding="utf-8")
    args = parse("run", "--enable-api", "--model", str(model), "--credentials", str(path))
    extensions.RasaPlugin().configure_commandline(args)
    apps: list[Any] = []

    @functools.wraps(rasa.core.run.serve_application)  # Rasa passes what its signature takes
    def serve_application(*_: Any, **kwargs: Any) -> None:
        """Rasa's serve_application up to the app (not its app.run)."""
        from rasa.core.run import configure_app, create_http_input_channels

        inputs = create_http_input_channels(kwargs.get("channel"), kwargs.get("credentials"))
        apps.append(configure_app(inputs, server_listeners=kwargs.get("server_listeners")))

    monkeypatch.setattr(rasa.core.run, "serve_application", serve_application)
    rasa.cli.run.run(args)
    [app] = apps
    assert extensions.on_main_process_start in app.listeners["main_process_start"]


def test_install_all_installs_every_extension_once_and_logs_it(
    restore_rasa: None, caplog: pytest.LogCaptureFixture
) -> None:
    app = rasa.core.run.configure_app([], enable_api=True)
    caplog.set_level(logging.INFO, logger=extensions.__name__)
    names = extensions.install_all(app)
    assert names == [
        "request guards",
        "action guard",
        "action reply validator",
        "action requests in ujson",
    ]
    # Only this module's lines: a socket.io client left by another test may log meanwhile.
    logged = [r.getMessage() for r in caplog.records if r.name == extensions.__name__]
    assert logged == [
        "installed: request guards, action guard, action reply validator, action requests in ujson"
    ]
    assert app.config.REQUEST_MAX_SIZE == 1024 * 1024
    assert getattr(RemoteAction.run, "guarded", False)
    assert getattr(RemoteAction._validate_action_result, "member_health", False)
    assert extensions.install_all(app) == names
    assert sum(r.name == extensions.__name__ for r in caplog.records) == 1, "installed twice"


def test_every_private_patch_names_its_reason() -> None:
    patches = [e for e in extensions.EXTENSIONS if e.patch]
    assert [e.name for e in patches] == ["action guard", "action reply validator"]
    assert all(e.patch and ": " in e.patch for e in patches)
