"""The launcher's ``rasa run`` command line, parsed by Rasa's own argument parser."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser
from serve import Servers


@pytest.mark.parametrize("token", ["plain-token", "-starts-with-a-dash", "--looks-like-a-flag"])
def test_rasa_receives_the_token_whatever_it_looks_like(token: str) -> None:
    servers = Servers(token=token, model=Path("models/m.tar.gz"))
    command = servers.rasa_command(Path("endpoints.yml"), Path("credentials.yml"))
    args = create_argument_parser().parse_args(command[1:])
    assert args.auth_token == token
    assert args.enable_api and args.interface == "127.0.0.1"
    assert (args.endpoints, args.credentials) == ("endpoints.yml", "credentials.yml")
