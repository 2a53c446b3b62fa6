#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10), or
# explain what to install and fail.
set -euo pipefail
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    command -v "$p"
    exit 0
  fi
done
cat >&2 <<'MSG'
Karriereassistenten needs Python 3.10 (Rasa Open Source 3.6 runs on Python 3.8-3.10 only).
Install it, then run the command again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian:    apt-get install python3.10 python3.10-venv
  - or point to one:  make run PYTHON=/path/to/python3.10
MSG
exit 1
