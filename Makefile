# Member health assistant. `make run` and `make test` do all the set-up themselves.
SHELL := /bin/bash
VENV := .venv/bin
RASA := $(VENV)/rasa
MODEL = $$(cat models/current.txt)

.PHONY: setup train run shell test validate lint bench stories report

setup:  ## .venv with Python 3.10 and the pinned dependencies
	@bash scripts/setup.sh

train: setup  ## train only if config/domain/data changed (cached by hash in models/)
	@bash scripts/train.sh

run: train  ## action server + Rasa server; Ctrl-C stops both
	@source scripts/env.sh && exec $(VENV)/python scripts/serve.py

shell:  ## chat in the terminal against the running action server
	@$(RASA) shell --model $(MODEL) --domain domain --endpoints endpoints.yml --port 5006

validate: setup  ## Rasa's data validation (warnings are errors) + the content lint
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings
	$(VENV)/python scripts/content_lint.py

stories: train  ## only the test stories using one intent: make stories INTENT=faq/osteosarcoma
	@test -n "$(INTENT)" || { echo "usage: make stories INTENT=faq/osteosarcoma"; exit 2; }
	$(VENV)/python scripts/select_stories.py "$(INTENT)" -- --model $(MODEL) --out results/stories-selected

DB ?= sqlite:///tracker.db
report: setup  ## content report: make report [SINCE=YYYY-MM-DD] [UNTIL=YYYY-MM-DD] [DB=url]
	$(VENV)/python scripts/report.py --db "$(DB)" $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) --out reports/

lint: setup
	$(VENV)/ruff check .
	$(VENV)/black --check .
	$(VENV)/mypy member_health

test: train validate  ## every test: pytest (unit, actions, NLU, end to end) and test stories
	$(VENV)/python -m pytest
	$(RASA) test core --e2e --model $(MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out results/stories
