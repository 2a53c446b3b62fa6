# Karriereassistenten. `make run` starts everything, `make test` runs every test.
# Both set up the Python 3.10 environment first and train only when the
# training data changed.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: run test setup train system-packages vocabulary benchmark lock clean teams-package reload-knowledge prod-up prod-down

run: setup train
	scripts/run.sh

test: setup system-packages train
	$(BIN)/python -m pytest -q tests

setup: $(STAMP) var/spacy_da/meta.json

$(STAMP): requirements.lock
	@PY=$$(scripts/find-python.sh) && \
	  { [ -x $(BIN)/python ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || \
	    { rm -rf $(VENV) && $$PY -m venv $(VENV); }; }
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

var/spacy_da/meta.json: scripts/build_spacy_da.py $(STAMP)
	$(BIN)/python scripts/build_spacy_da.py var/spacy_da

system-packages:
	scripts/install-system-packages.sh

# Rasa compares the fingerprint of config, domain and data with the newest model
# in models/ and skips training when nothing changed. No story augmentation: TED
# learns from the stories and rules as written (every test story and end-to-end
# conversation passes), and training from scratch takes about 25 s less.
TRAIN_ARGS := --augmentation 0
train: setup
	$(BIN)/rasa train --fixed-model-name karriereassistent --out models --quiet $(TRAIN_ARGS)

# The Teams app package for an administrator to upload (docs/teams.md).
teams-package: $(STAMP)
	@set -a; [ ! -f .env ] || . ./.env; set +a; $(BIN)/python scripts/teams_package.py

# Check the articles and make every running server reload them (no retraining).
reload-knowledge: $(STAMP)
	$(BIN)/python -m bot.cli reload-knowledge

vocabulary:
	$(BIN)/python scripts/generate_nlu_vocabulary.py

benchmark: setup train
	$(BIN)/python benchmarks/run_all.py

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^pkg-resources' > requirements.lock

clean:
	rm -rf models .rasa var/spacy_da

# Production profile on loopback (issue 8): PostgreSQL, Redis, 2 Rasa + 2 action
# servers behind nginx. See scripts/prod/up.sh and deploy/.
prod-up: setup train
	scripts/prod/up.sh

prod-down:
	scripts/prod/down.sh
