# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench bench-dispatch setup messages compilemessages demo clean

$(VENV)/.installed-test: requirements/base.txt requirements/test.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; trying python3"; }
	@test -x $(PY) || $$(command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/test.txt
	@touch $@

setup: $(VENV)/.installed-test
	@mkdir -p var
	$(PY) scripts/compile_messages.py
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable

## Set everything up, load demo data and start the product on http://$(HOST):$(PORT), with the periodic jobs
## and the task worker in the background (logs in var/periodic.log and var/worker.log; scripts/serve.py)
run: setup
	$(PY) manage.py demo --if-empty --url http://$(HOST):$(PORT)
	@$(PY) scripts/serve.py $(HOST):$(PORT)

## Set everything up and run every test (browser tests run when /usr/bin/chromium exists)
test: setup lint
	$(PY) scripts/run_tests.py

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) scripts/run_tests.py

## Ruff, the layer contract (.importlinter) and the ceiling on imports inside functions
CALL_TIME_IMPORTS_MAX := 4
lint: setup
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/call_time_imports.py --max $(CALL_TIME_IMPORTS_MAX)

bench: setup
	$(PY) bench/run.py

## Dispatch benchmarks (docs/dispatch-benchmarks.md): VRPTW instances, a synthetic day, ranking latency
VRPTW_DIR ?= ../shared/bench/vrptw/solomon
VRPTW_TIME_LIMIT ?= 2
bench-dispatch: setup
	@mkdir -p bench/results
	-$(PY) bench/dispatch/vrptw.py $(VRPTW_DIR) --time-limit $(VRPTW_TIME_LIMIT) --out bench/results/vrptw-$(VRPTW_TIME_LIMIT)s.json
	-$(PY) bench/dispatch/synthetic_day.py --time-limit 10 --out bench/results/synthetic-day.json
	$(PY) bench/dispatch/ranking.py

## Regenerate the translation catalogues after changing user-visible strings
messages: setup
	@mkdir -p var
	flock var/messages.lock sh -c '$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location --ignore=.venv \
	  --ignore=var --ignore=bench --ignore=test-artifacts && $(PY) scripts/fill_catalogues.py && \
	  $(PY) scripts/compile_messages.py'
	@echo 'Translate what is still new (empty or fuzzy msgstr) in locale/zh_Hans/LC_MESSAGES/django.po,'
	@echo 'or put the translations in a fragment, locale/fragments/<topic>.po, and run make messages again.'

clean:
	rm -rf var .pytest_cache
