#!/usr/bin/env bash
# One Rasa replica of the production profile (used by scripts/prod/up.sh and by
# deploy/docker-compose.yml). Fails clearly, before loading the model, when a
# secret is missing or a store does not answer.
#   scripts/prod/rasa-replica.sh PORT [INTERFACE]
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:?usage: rasa-replica.sh PORT [INTERFACE]}
interface=${2:-127.0.0.1}
: "${KA_RASA_TOKEN:?KA_RASA_TOKEN must be set: token of the Rasa HTTP API (no default)}"
: "${KA_SECRET_KEY:?KA_SECRET_KEY must be set}"
: "${KA_ACTION_SECRET:?KA_ACTION_SECRET must be set: shared secret for the action endpoint}"
: "${KA_ACTION_ENDPOINT_URL:?KA_ACTION_ENDPOINT_URL must be set}"
: "${KA_TRACKER_STORE_URL:?KA_TRACKER_STORE_URL must be set}"
: "${KA_DATABASE_URL:?KA_DATABASE_URL must be set}"
: "${KA_REDIS_URL:?KA_REDIS_URL must be set}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 LOG_LEVEL=${LOG_LEVEL:-INFO}
if [ "$LOG_LEVEL" = DEBUG ]; then
  echo "LOG_LEVEL=DEBUG writes what employees type into the log; not allowed in production" >&2
  exit 1
fi
PY=${PYTHON:-python}
$PY scripts/prod/check_stores.py --timeout "${KA_PROD_STORE_TIMEOUT:-60}"
run_dir=${KA_PROD_RUN_DIR:-var/prod/run}
mkdir -p "$run_dir"
credentials="$run_dir/credentials.yml"
cat credentials.yml deploy/credentials.guards.yml > "$credentials.$$" && mv "$credentials.$$" "$credentials"
exec $PY scripts/prod/rasa_run.py \
  --interface "$interface" --port "$port" \
  --credentials "$credentials" --endpoints deploy/endpoints.prod.yml \
  --model "${KA_MODEL:-models/karriereassistent.tar.gz}"
