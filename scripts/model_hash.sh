#!/usr/bin/env bash
# Prints one hash of everything a model is trained from: config.yml, domain.yml, data/ (the
# responses included), the pinned sentence-embedding model and the custom NLU components' and
# policies' code (with the emergency examples' loader, which training runs).
set -euo pipefail
cd "$(dirname "$0")/.."
find config.yml domain.yml data requirements-model.txt member_health_rasa/nlu member_health_rasa/policies \
  member_health/emergency_examples.py -type f \
  \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name requirements-model.txt \) \
  -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
