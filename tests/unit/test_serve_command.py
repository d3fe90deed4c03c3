"""The launcher's ``rasa run`` command line, parsed by Rasa's own argument parser.

The token is not on it: ``member_health_rasa.ops.rasa_entry`` adds it in-process (``sys.argv``),
from a file.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser

from member_health_rasa.ops.rasa_entry import TokenError, rasa_argv, read_token
from member_health_rasa.tools.serve import Servers


@pytest.mark.parametrize("token", ["plain-token", "-starts-with-a-dash", "--looks-like-a-flag"])
def test_rasa_receives_the_token_whatever_it_looks_like(token: str) -> None:
    servers = Servers(token=token, model=Path("models/m.tar.gz"))
    command = servers.rasa_command(Path("endpoints.yml"), Path("credentials.yml"))
    assert not any(token in part for part in command)
    assert command[:3] == [*Servers.entry_point()]
    args = create_argument_parser().parse_args(rasa_argv(command[3:], token))
    assert args.auth_token == token
    assert args.enable_api and args.interface == "127.0.0.1"
    assert (args.endpoints, args.credentials) == ("endpoints.yml", "credentials.yml")


def test_the_action_server_gets_no_token_argument() -> None:
    assert rasa_argv(["run", "actions", "--actions", "actions"], "t") == [
        "run",
        "actions",
        "--actions",
        "actions",
    ]


def test_a_token_on_the_command_line_is_refused() -> None:
    with pytest.raises(TokenError):
        rasa_argv(["run", "--enable-api", "--auth-token=secret"], None)


def test_token_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("from-file\n")
    path.chmod(0o600)
    env = {"RASA_AUTH_TOKEN_FILE": str(path), "RASA_AUTH_TOKEN": "from-env"}
    assert read_token(env) == "from-file"
    assert read_token({"RASA_AUTH_TOKEN": "from-env"}) == "from-env"
    path.chmod(0o640)
    with pytest.raises(TokenError):
        read_token(env)
