# Member health assistant. `make run` and `make test` do all the set-up themselves.
SHELL := /bin/bash
VENV := .venv/bin
RASA := $(VENV)/rasa
MODEL = $$(cat models/current.txt)

.PHONY: setup train run shell test validate lint bench

setup:  ## .venv with Python 3.10 and the pinned dependencies
	@bash scripts/setup.sh

train: setup  ## train only if config/domain/data changed (cached by hash in models/)
	@bash scripts/train.sh

run: train  ## action server + Rasa server; Ctrl-C stops both
	@source scripts/env.sh && exec $(VENV)/python scripts/serve.py

shell:  ## chat in the terminal against the running action server
	@$(RASA) shell --model $(MODEL) --domain domain --endpoints endpoints.yml --port 5006

validate: setup  ## Rasa's data validation, warnings are errors
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings

lint: setup
	$(VENV)/ruff check .
	$(VENV)/black --check .
	$(VENV)/mypy member_health

test: train validate  ## every test: pytest (unit, actions, NLU, end to end) and test stories
	$(VENV)/python -m pytest
	$(RASA) test core --model $(MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out results/stories
