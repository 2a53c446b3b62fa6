#!/usr/bin/env bash
# Stop the production profile started by scripts/prod/up.sh: only the processes
# it recorded in var/prod/run/*.pid, newest layer first. Data stays in var/prod.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PROD=${KA_PROD_DIR:-$ROOT/var/prod}
RUN=$PROD/run
[ -d "$RUN" ] || { echo "nothing to stop"; exit 0; }

stop_pid() {  # pidfile name
  local pidfile=$1 name=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    echo "stopping $name"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { echo "$name did not stop in 20 s; killing it"; kill -KILL "$pid" 2>/dev/null; }
  fi
  rm -f "$pidfile"
}

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -f "$RUN/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
  echo "stopping nginx"
  "$NGINX" -p "$PROD/nginx" -c "$RUN/nginx.conf" -s quit 2>/dev/null || kill -TERM "$(cat "$RUN/nginx.pid")"
  for _ in $(seq 50); do [ -f "$RUN/nginx.pid" ] || break; sleep 0.2; done
fi
for pidfile in "$RUN"/rasa-*.pid; do [ -e "$pidfile" ] && stop_pid "$pidfile" "Rasa replica $(basename "$pidfile" .pid)"; done
for pidfile in "$RUN"/actions-*.pid; do [ -e "$pidfile" ] && stop_pid "$pidfile" "action server $(basename "$pidfile" .pid)"; done
stop_pid "$RUN/redis.pid" "Redis"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -n "$PG_BIN" ] && [ -f "$PROD/pgdata/postmaster.pid" ]; then
  echo "stopping PostgreSQL"
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PROD/pgdata" -m fast -w -t 60 stop >/dev/null
  else
    "$PG_BIN/pg_ctl" -D "$PROD/pgdata" -m fast -w -t 60 stop >/dev/null
  fi
fi
echo "Karriereassistenten (produktionsprofil) er stoppet. Data ligger fortsat i var/prod/."
