#!/usr/bin/env bash
# Source me: umask 077, Rasa telemetry off by default, and .env loaded (created readable by its
# owner only, with a random API token and log-id key when RASA_AUTH_TOKEN is unset). A secret is
# never printed.
umask 077
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  touch .env && chmod 600 .env
  _env_secret() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))'; }
  if ! grep -q '^RASA_AUTH_TOKEN=' .env; then
    echo "RASA_AUTH_TOKEN=$(_env_secret)" >> .env
    echo "env: generated an API token in .env (git-ignored, readable by you only)"
  fi
  if ! grep -q '^LOG_ID_KEY=' .env; then
    echo "LOG_ID_KEY=$(_env_secret)" >> .env
  fi
  # The REST channel's bearer token (internal callers) and the widget sessions' HMAC key.
  for _name in REST_CHANNEL_TOKEN WIDGET_SESSION_SECRET; do
    grep -q "^${_name}=" .env || echo "${_name}=$(_env_secret)" >> .env
  done
  unset _name
  unset -f _env_secret
  set -a; . ./.env; set +a
fi
