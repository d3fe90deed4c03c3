# Member health assistant. `make run` and `make test` do all the set-up themselves.
SHELL := /bin/bash
VENV := .venv/bin
RASA := $(VENV)/rasa
MODEL = $$(cat models/current.txt)
# Rasa's telemetry (usage events, crash reports) stays off unless set to true.
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: setup train run shell preview feedback services test test-fast walkthrough validate lint bench nlu-report safety-report stories report e2e-deps purge

setup:  ## .venv with Python 3.10 and the pinned dependencies; the widget's npm packages
	@bash scripts/setup.sh
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

e2e-deps:  ## Debian's chromium (widget tests; Playwright's own download fails here) and nginx
	@command -v chromium >/dev/null && command -v nginx >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium nginx; }

train: setup  ## train only if config.yml/domain.yml/data changed (cached by hash in models/)
	@bash scripts/train.sh

run: train  ## action server + Rasa server; Ctrl-C stops both (token never printed, umask 077)
	@source scripts/env.sh && exec $(VENV)/python -m member_health_rasa.tools.serve

shell: train  ## chat in the terminal (starts its own action server; the chat stays in memory)
	@umask 077 && $(VENV)/python -m member_health_rasa.tools.shell

validate: setup  ## the content lint (file:line, editors' words) first, then Rasa's validation
	$(VENV)/python -m member_health_rasa.tools.content_lint
	$(RASA) data validate --fail-on-warnings  # Rasa's defaults: config.yml, domain.yml, data/

stories: train  ## only the test stories using one intent: make stories INTENT=faq/osteosarcoma
	@test -n "$(INTENT)" || { echo "usage: make stories INTENT=faq/osteosarcoma"; exit 2; }
	@$(VENV)/python -m member_health_rasa.tools.select_stories "$(INTENT)" -- --model $(MODEL)

preview: train  ## what a member would see: make preview TEXT="what is osteosarcoma?"
	@test -n "$(TEXT)" || { echo 'usage: make preview TEXT="what is osteosarcoma?"'; exit 2; }
	@umask 077 && PYTHONWARNINGS=ignore $(VENV)/python -m member_health_rasa.tools.preview "$(TEXT)"

feedback: train  ## held-out messages of the intents you changed, with the topic each gets
	@PYTHONWARNINGS=ignore $(VENV)/python -m member_health_rasa.tools.topic_feedback $(if $(BASE),--base $(BASE))

DB ?= sqlite:///tracker.db
report: setup  ## content report: make report [SINCE=YYYY-MM-DD] [UNTIL=...] [TOP=N] [EXCLUDE=prefix,...] [DB=url]
	@umask 077 && $(VENV)/python -m member_health_rasa.tools.report --db "$(DB)" $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) $(if $(TOP),--top $(TOP)) $(if $(EXCLUDE),--exclude-sender "$(EXCLUDE)") --out reports/

lint: setup  ## ruff, black, mypy (its files: pyproject.toml [tool.mypy]); make test runs it first
	$(VENV)/ruff check .
	$(VENV)/black --check .
	$(VENV)/mypy

# pytest tests: unit, actions, the dev set, and end to end: REST, the widget in Chromium, the
# channels, bad input, faults, privacy, two replicas behind nginx, bench and nlu-report smoke,
# and the test stories played against the real servers (their custom actions run).
services:  ## the local PostgreSQL and Redis the end-to-end tests need (started if down)
	@bash scripts/services.sh

# A test whose service (PostgreSQL, Redis, nginx, Chromium) is missing fails; ALLOW_MISSING=1
# turns those failures into skips, on purpose only; the run ends with the count of skips.
test: lint train validate e2e-deps services  ## everything CI runs, lint first (~25-35 min on 2 cores)
	$(VENV)/python -m pytest tests

test-fast: train  ## unit, actions and the dev set only (about 2 minutes)
	$(VENV)/python -m pytest tests/unit tests/actions tests/nlu

walkthrough: setup  ## only docs/CONTENT.md's walk-through (part of make test; trains once, 2-10 min)
	$(VENV)/python -m pytest -m walkthrough tests/e2e/test_content_walkthrough.py

purge:  ## delete conversations older than DAYS days: make purge DAYS=30 [ENDPOINTS=...]
	@test -n "$(DAYS)" || { echo "usage: make purge DAYS=30" >&2; exit 2; }
	$(VENV)/python -m member_health_rasa.ops.purge --days $(DAYS) --endpoints $${ENDPOINTS:-endpoints.yml}

bench: setup  ## latency, throughput, RSS, growth over a long conversation vs a stock-Rasa baseline (trains both if needed)
	$(VENV)/python -m member_health_rasa.bench $(BENCH_ARGS)

safety-report: train  ## the blind safety corpus (tests/safety) by category, every miss by text
	$(VENV)/python -m member_health_rasa.tools.safety_report

nlu-report: train  ## dev set + 5-fold CV vs the default pipeline: make nlu-report [NLU_ARGS=...]
	$(VENV)/python -m member_health_rasa.tools.nlu_report $(NLU_ARGS)
