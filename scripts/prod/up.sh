#!/usr/bin/env bash
# The production profile on one machine (issue 8), all on loopback:
#   PostgreSQL (data in var/prod/pgdata)  conversations (tracker store) + our data
#   redis-server                          conversation locks + socket.io fan-out
#   N Rasa replicas, M action servers     (default 2 + 2)
#   nginx                                 load balancer: sticky per browser for the
#                                         web chat (socket.io), round-robin for REST;
#                                         a second listener guards the action servers
# Installs the Debian packages when missing (as root). Idempotent: what runs stays.
# Stop with scripts/prod/down.sh (make prod-down). Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
PROD=${KA_PROD_DIR:-$ROOT/var/prod}  # benchmarks use their own
RUN=$PROD/run LOG=$PROD/log
mkdir -p "$RUN" "$LOG"
chmod 700 "$RUN"

say() { printf '%s\n' "$*"; }
die() { printf 'prod-up: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- configuration
# .env fills in what the environment does not set (the environment wins).
if [ -f .env ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < .env
fi
HTTP_PORT=${KA_PROD_HTTP_PORT:-8080}
ACTIONS_LB_PORT=${KA_PROD_ACTIONS_LB_PORT:-8055}
PG_PORT=${KA_PROD_PG_PORT:-5433}
REDIS_PORT=${KA_PROD_REDIS_PORT:-6380}
RASA_REPLICAS=${KA_PROD_RASA_REPLICAS:-2}
ACTION_REPLICAS=${KA_PROD_ACTION_REPLICAS:-2}
RASA_BASE_PORT=${KA_PROD_RASA_BASE_PORT:-5105}
ACTIONS_BASE_PORT=${KA_PROD_ACTIONS_BASE_PORT:-5155}
BODY_LIMIT=${KA_PROD_BODY_LIMIT:-64k}
[ -f models/karriereassistent.tar.gz ] || die "no trained model in models/: run 'make train' first"

# Secrets: from the environment or .env; missing ones are generated once into
# var/prod/run/secrets.env (0600). Nothing has a built-in default.
SECRETS=$RUN/secrets.env
touch "$SECRETS"; chmod 600 "$SECRETS"
for name in KA_RASA_TOKEN KA_SECRET_KEY KA_ACTION_SECRET KA_POSTGRES_PASSWORD KA_REDIS_PASSWORD; do
  if [ -z "${!name:-}" ]; then  # the environment and .env win over the generated file
    value=$(sed -n "s/^$name=//p" "$SECRETS" | tail -n1)
    if [ -n "$value" ]; then printf -v "$name" "%s" "$value"; fi
  fi
  if [ -z "${!name:-}" ]; then
    value=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')
    printf '%s=%s\n' "$name" "$value" >> "$SECRETS"
    printf -v "$name" '%s' "$value"
    say "generated $name into var/prod/run/secrets.env"
  fi
  export "${name?}"
done
for name in KA_ACTION_SECRET KA_POSTGRES_PASSWORD KA_REDIS_PASSWORD; do
  [[ ${!name} =~ ^[A-Za-z0-9_-]{16,}$ ]] || die "$name must be at least 16 characters of A-Z a-z 0-9 _ -"
done
export KA_DATABASE_URL="postgresql+psycopg2://karriere:${KA_POSTGRES_PASSWORD}@127.0.0.1:${PG_PORT}/karriere"
export KA_TRACKER_STORE_URL="postgresql+psycopg2://karriere:${KA_POSTGRES_PASSWORD}@127.0.0.1:${PG_PORT}/karriere_trackers"
export KA_REDIS_URL="redis://:${KA_REDIS_PASSWORD}@127.0.0.1:${REDIS_PORT}/0"
export KA_ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTIONS_LB_PORT}/webhook"
export KA_PUBLIC_BASE_URL=${KA_PUBLIC_BASE_URL:-http://localhost:${HTTP_PORT}}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 LOG_LEVEL=INFO

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_http() {  # url seconds pidfile log
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    python - "$1" <<'PY' && return 0
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2); sys.exit(0)
except Exception:
    sys.exit(1)
PY
    if [ -n "${3:-}" ] && ! alive "$3"; then
      tail -n 30 "$4" >&2 || true; die "the process behind $1 stopped (log: ${4#$ROOT/})"
    fi
    sleep 2
  done
  tail -n 30 "${4:-/dev/null}" >&2 || true
  die "$1 did not answer within $2 s"
}

# ---------------------------------------------------------------- packages
missing=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "needs these Debian packages: ${missing[*]} (sudo apt-get install -y ${missing[*]})"
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# ---------------------------------------------------------------- PostgreSQL
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDATA=$PROD/pgdata PGRUN=$PROD/pgrun PGLOG=$LOG/postgres
if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  mkdir -p "$PGDATA" "$PGRUN" "$PGLOG"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA" "$PGRUN" "$PGLOG"
  chmod 700 "$PGDATA"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "creating the PostgreSQL cluster in var/prod/pgdata"
    pwfile=$(mktemp); printf '%s\n' "$KA_POSTGRES_PASSWORD" > "$pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
  fi
  port_free "$PG_PORT" || die "port $PG_PORT is taken (set KA_PROD_PG_PORT)"
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGLOG/postgres.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGRUN -c max_connections=100 -c log_min_messages=warning -c log_connections=off" >/dev/null
fi
psql_pg() { as_pg "$PG_BIN/psql" -h "$PGRUN" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname='karriere'")" != 1 ]; then
  # On stdin, so the password never shows in the process list.
  printf "CREATE ROLE karriere LOGIN PASSWORD '%s';\n" "$KA_POSTGRES_PASSWORD" | psql_pg >/dev/null
fi
for db in karriere karriere_trackers; do
  [ "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] \
    || psql_pg -c "CREATE DATABASE $db OWNER karriere" >/dev/null
done

# ---------------------------------------------------------------- Redis
if ! alive "$RUN/redis.pid"; then
  port_free "$REDIS_PORT" || die "port $REDIS_PORT is taken (set KA_PROD_REDIS_PORT)"
  mkdir -p "$PROD/redis"
  umask 077
  cat > "$RUN/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
requirepass $KA_REDIS_PASSWORD
daemonize yes
pidfile $RUN/redis.pid
logfile $LOG/redis.log
dir $PROD/redis
# Locks and pub/sub only: nothing to persist.
save ""
appendonly no
maxmemory 256mb
maxmemory-policy noeviction
CONF
  umask 022
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server "$RUN/redis.conf"
  for _ in $(seq 50); do alive "$RUN/redis.pid" && break; sleep 0.2; done
fi

# ---------------------------------------------------------------- stores ready?
python scripts/prod/check_stores.py --timeout 30 || die "a store is not reachable (see above)"
python -m bot.cli migrate >/dev/null

# ---------------------------------------------------------------- action servers
ACTION_SERVERS="" RASA_SERVERS=""
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  port=$((ACTIONS_BASE_PORT + i)); pid=$RUN/actions-$i.pid
  ACTION_SERVERS+="server 127.0.0.1:$port max_fails=2 fail_timeout=5s; "
  alive "$pid" && continue
  port_free "$port" || die "port $port is taken (set KA_PROD_ACTIONS_BASE_PORT)"
  say "starting action server $i on 127.0.0.1:$port"
  SANIC_HOST=127.0.0.1 setsid nohup rasa run actions --actions actions --port "$port" \
    > "$LOG/actions-$i.log" 2>&1 < /dev/null &
  echo $! > "$pid"
done

# ---------------------------------------------------------------- Rasa replicas
for i in $(seq 0 $((RASA_REPLICAS - 1))); do
  port=$((RASA_BASE_PORT + i)); pid=$RUN/rasa-$i.pid
  RASA_SERVERS+="server 127.0.0.1:$port max_fails=3 fail_timeout=10s; "
  alive "$pid" && continue
  port_free "$port" || die "port $port is taken (set KA_PROD_RASA_BASE_PORT)"
  say "starting Rasa replica $i on 127.0.0.1:$port"
  KA_PROD_RUN_DIR=$RUN setsid nohup scripts/prod/rasa-replica.sh "$port" 127.0.0.1 \
    > "$LOG/rasa-$i.log" 2>&1 < /dev/null &
  echo $! > "$pid"
done

# ---------------------------------------------------------------- nginx
NGINX_DIR=$PROD/nginx
mkdir -p "$NGINX_DIR/tmp"
chown -R www-data "$NGINX_DIR/tmp" 2>/dev/null || true
umask 077
sed -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@ACTIONS_LB_PORT@|$ACTIONS_LB_PORT|g" \
    -e "s|@LISTEN@|127.0.0.1|g" -e "s|@NGINX_USER@|www-data|g" \
    -e "s|@PREFIX@|$NGINX_DIR|g" -e "s|@LOG@|$LOG|g" -e "s|@RUN@|$RUN|g" \
    -e "s|@BODY_LIMIT@|$BODY_LIMIT|g" -e "s|@ACTION_SECRET@|$KA_ACTION_SECRET|g" \
    -e "s|@RASA_SERVERS@|$RASA_SERVERS|g" -e "s|@ACTION_SERVERS@|$ACTION_SERVERS|g" \
    deploy/nginx.conf.template > "$RUN/nginx.conf.tmp"
mv "$RUN/nginx.conf.tmp" "$RUN/nginx.conf"
umask 022
"$NGINX" -t -q -p "$NGINX_DIR" -c "$RUN/nginx.conf" || die "nginx configuration invalid"
if alive "$RUN/nginx.pid"; then
  "$NGINX" -p "$NGINX_DIR" -c "$RUN/nginx.conf" -s reload
else
  port_free "$HTTP_PORT" || die "port $HTTP_PORT is taken (set KA_PROD_HTTP_PORT)"
  port_free "$ACTIONS_LB_PORT" || die "port $ACTIONS_LB_PORT is taken (set KA_PROD_ACTIONS_LB_PORT)"
  say "starting nginx on 127.0.0.1:$HTTP_PORT (actions: 127.0.0.1:$ACTIONS_LB_PORT)"
  "$NGINX" -p "$NGINX_DIR" -c "$RUN/nginx.conf"
fi

# ---------------------------------------------------------------- ready?
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  wait_http "http://127.0.0.1:$((ACTIONS_BASE_PORT + i))/health" 240 "$RUN/actions-$i.pid" "$LOG/actions-$i.log"
done
for i in $(seq 0 $((RASA_REPLICAS - 1))); do
  wait_http "http://127.0.0.1:$((RASA_BASE_PORT + i))/webhooks/production/health" 420 \
    "$RUN/rasa-$i.pid" "$LOG/rasa-$i.log"
done
wait_http "http://127.0.0.1:$HTTP_PORT/webhooks/production/health" 30

cat <<MSG

Karriereassistenten (produktionsprofil) kører på loopback:
  Webchat:          http://localhost:${HTTP_PORT}/chat/
  REST-kanal:       http://localhost:${HTTP_PORT}/webhooks/rest/webhook
  Sundhed:          http://localhost:${HTTP_PORT}/webhooks/production/health
  Rasa-replikaer:   ${RASA_REPLICAS} (fra port ${RASA_BASE_PORT}), action servere: ${ACTION_REPLICAS} (fra port ${ACTIONS_BASE_PORT})
  PostgreSQL:       127.0.0.1:${PG_PORT}   Redis: 127.0.0.1:${REDIS_PORT}
  Hemmeligheder:    var/prod/run/secrets.env   Logfiler: var/prod/log/
Stop med: make prod-down
MSG
