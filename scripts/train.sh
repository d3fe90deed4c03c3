#!/usr/bin/env bash
# Train a model only when config.yml, domain.yml or data/ changed: the model is cached as
# models/<sha256 of those files>.tar.gz and models/current.txt names the one to serve.
set -euo pipefail
cd "$(dirname "$0")/.."
# Run directly too (not only via make): no telemetry, nor its crash report over the network.
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
hash=$(bash scripts/model_hash.sh)
model="models/${hash}.tar.gz"
mkdir -p models
if [ -f "$model" ]; then
  echo "train: model for this config/domain/data exists: $model"
else
  echo "train: training $model (about 3-5 minutes on 2 cores)"
  start=$(date +%s)
  # Rasa's defaults: config.yml, domain.yml (responses: data/responses/*.yml) and data/.
  .venv/bin/rasa train --out models --fixed-model-name "$hash"
  echo "train: done in $(( $(date +%s) - start ))s"
fi
echo "$model" > models/current.txt
