"""make shell: the command it runs is one Rasa's own parser accepts, and plain ``rasa shell``
can read credentials.yml with no channel variable set (it stopped on ``${WIDGET_ORIGIN:-}``)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser
from rasa.core.channels.console import CmdlineInput
from rasa.core.run import create_http_input_channels

from member_health_rasa.tools.shell import shell_command

ROOT = Path(__file__).resolve().parents[2]
CHANNEL_VARIABLES = ("WIDGET_ORIGIN", "TWILIO_", "TELEGRAM_", "SLACK_", "FACEBOOK_")


def test_rasa_parses_the_shell_command() -> None:
    command = shell_command(ROOT / "models" / "m.tar.gz", ROOT / "e.yml", 5006)
    assert command[1:3] == ["-m", "member_health_rasa.ops.rasa_entry"]  # the extensions
    args = create_argument_parser().parse_args(command[3:])
    assert args.func.__module__ == "rasa.cli.shell"
    assert (args.model, args.endpoints, args.port) == (command[5], command[7], 5006)


def test_plain_rasa_shell_reads_credentials_yml_with_no_channel_variable_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith(CHANNEL_VARIABLES):
            monkeypatch.delenv(name)
    [channel] = create_http_input_channels("cmdline", str(ROOT / "credentials.yml"))
    assert isinstance(channel, CmdlineInput)
