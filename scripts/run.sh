#!/usr/bin/env bash
# Start the action server and the Rasa server (REST + web chat channels, HTTP API
# with token auth) on the embedded defaults; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var
[ -f .env ] && set -a && . ./.env && set +a
if [ -z "${KA_RASA_TOKEN:-}" ]; then
  [ -f var/rasa_token ] || python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/rasa_token
  KA_RASA_TOKEN=$(cat var/rasa_token)
fi
if [ -z "${KA_SECRET_KEY:-}" ]; then
  [ -f var/secret_key ] || python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/secret_key
  export KA_SECRET_KEY=$(cat var/secret_key)
fi
RASA_PORT=${KA_RASA_PORT:-5005}
ACTIONS_PORT=${KA_ACTIONS_PORT:-5055}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopper Karriereassistenten ..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

python -m bot.cli migrate
rasa run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
rasa run --enable-api --auth-token "$KA_RASA_TOKEN" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml --model models &
pids+=($!)

python - "$RASA_PORT" "$ACTIONS_PORT" <<'PY'
import sys, time, urllib.request
rasa, actions = sys.argv[1:]
def up(url):
    try:
        urllib.request.urlopen(url, timeout=1); return True
    except Exception:
        return False
deadline = time.time() + 300
# The REST channel's health route needs no token (polling /status would log an error).
rest = f"http://127.0.0.1:{rasa}/webhooks/rest"
while time.time() < deadline and not (up(rest) or up(rest + "/")):
    time.sleep(1)
PY
cat <<MSG

Karriereassistenten kører:
  Webchat:          http://localhost:${RASA_PORT}/chat/
  Videnbasen:       http://localhost:${RASA_PORT}/viden/
  Rådgiverkonsol:   http://localhost:${RASA_PORT}/konsol/
  Rasa HTTP API:    http://localhost:${RASA_PORT}/  (token i var/rasa_token eller KA_RASA_TOKEN)
  REST-kanal:       http://localhost:${RASA_PORT}/webhooks/rest/webhook
  Action server:    http://localhost:${ACTIONS_PORT}/health
MSG
if [ -z "$(python -m bot.console.accounts list 2>/dev/null | grep -v '^$' || true)" ]; then
  cat <<'MSG'
Ingen rådgiver kan logge ind i konsollen endnu. Opret en konto med:
  .venv/bin/python -m bot.console.accounts create anne --name "Anne" --counsellor-id raadgiver-1
MSG
fi
echo "Stop med Ctrl-C."
wait -n "${pids[@]}"
