#!/usr/bin/env bash
# Source me: loads .env, creating it with a random API token when RASA_AUTH_TOKEN is unset.
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  if [ ! -f .env ] || ! grep -q '^RASA_AUTH_TOKEN=' .env; then
    echo "RASA_AUTH_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')" >> .env
    echo "env: generated an API token in .env (git-ignored): $(grep '^RASA_AUTH_TOKEN=' .env | cut -d= -f2)"
  fi
  set -a; . ./.env; set +a
fi
