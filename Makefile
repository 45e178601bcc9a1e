# Framescope — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: run dev worker test lint format migrate train evaluate public-eval model-card bench fuzz vendor clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .   # the `framescope` package and command (client + CLI)
	touch $@

## Start the service on http://127.0.0.1:$(PORT) (SQLite under instance/ unless DATABASE_URL is set):
## migrate, then serve with gunicorn (WEB_CONCURRENCY workers) exactly as the Procfile does.
run: $(VENV)/.installed
	$(PY) -m flask --app service db upgrade
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT)

## Same, with Flask's auto-reloading development server (one process).
dev: $(VENV)/.installed
	$(PY) -m flask --app service db upgrade
	$(PY) -m flask --app service run --debug --host 127.0.0.1 --port $(PORT)

## A background-job worker (RQ on REDIS_URL, as the Procfile's `worker:`); start as many as you like.
## Without REDIS_URL jobs run inside `make run`'s web process and no worker is needed.
worker: $(VENV)/.installed
	$(PY) -m flask --app service jobs worker

## Run the test suite (SQLite; also PostgreSQL when TEST_DATABASE_URL is set).
test: $(VENV)/.installed
	$(PY) -m pytest -q

## Lint: ruff check and ruff format --check (both run by .ci/run).
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff format .

## Apply database migrations (same as the first step of `make run`).
migrate: $(VENV)/.installed
	$(PY) -m flask --app service db upgrade

## Long schema-fuzzing run: 500 random cases per operation and mode against a live gunicorn.
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 $(PY) -m pytest -q -s -p no:cacheprovider tests/service/test_fuzz.py

## Every benchmark (classification, HTTP under gunicorn + PostgreSQL, comparison at scale, memory),
## ~5-8 minutes; writes bench/RESULTS.md. Never part of `make test`. Uses wrk if installed.
bench: $(VENV)/.installed
	$(PY) bench/run_all.py

## Train (or load the cached) model under instance/models and print its cross-validated scores.
train: $(VENV)/.installed
	$(PY) -m classifiers.train

## Real-article scores on ../shared/eval (model and dictionary baseline), same arithmetic as score.py.
evaluate: $(VENV)/.installed
	$(PY) -m classifiers.evaluate

## Public-dataset checks (../shared/datasets, model vs dictionary) -> fixtures/public-eval.json; run before model-card.
public-eval: $(VENV)/.installed
	$(PY) -m classifiers.public_eval

## Regenerate docs/model-card.md (CV scores next to the real-article scores).
model-card: $(VENV)/.installed
	$(PY) -m classifiers.model_card

## Refresh the dashboard's browser libraries (Vega, Vega-Lite, vega-embed, vega-interpreter) from the
## npm registry at the versions package-lock.json pins, into service/static/vendor/ (committed: the app
## serves them itself, so /dashboard works offline). Bump a version: edit package.json, `npm install`, then this.
vendor: $(VENV)/.installed
	npm ci --no-audit --no-fund
	$(PY) tools/vendor_js.py

clean:
	rm -rf $(VENV) instance/*.sqlite3* instance/models .pytest_cache .ruff_cache
