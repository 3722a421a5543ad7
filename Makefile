# incubator: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench worker beat web db-upgrade db-migrate seed lint babel-extract babel-update babel-compile clean install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[redis,postgres]'
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[redis,postgres,test,browser,dev]'
	@touch $@ $(STAMP)

install: $(STAMP)
install-test: $(TEST_STAMP)

run: $(STAMP) db-upgrade seed
	@echo ""
	@echo "  Incubator is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password: $${DEMO_PASSWORD:-incubator-demo}):"
	@echo "    admin@example.org, manager@example.org, reviewer1@example.org .. reviewer12@example.org, founder@example.org"
	@echo "  E-mails are written to instance/outbox/ unless MAIL_SERVER is set."
	@echo ""
	$(BIN)/honcho start -f Procfile.dev

web: $(STAMP)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

worker: $(STAMP)
	$(BIN)/celery -A workers.app worker --loglevel INFO -Q mail,reports,default

beat: $(STAMP)
	@mkdir -p instance
	$(BIN)/celery -A workers.app beat --loglevel INFO

db-upgrade: $(STAMP)
	$(FLASK) db upgrade

db-migrate: $(STAMP)
	$(FLASK) db migrate -m "$${m:-change}"

seed: $(STAMP)
	$(FLASK) seed

test: $(TEST_STAMP) babel-compile
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks (issue 6): BENCH_SCALES="500 5000 20000" by default; SQLite and the filesystem broker unless
# DATABASE_URL (a throw-away PostgreSQL database) and CELERY_BROKER_URL/REDIS_URL are given. See bench/run.py.
bench: install-test
	$(BIN)/python bench/run.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check incubator workers tests config.py wsgi.py

babel-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _n:1,2 -o incubator/translations/messages.pot --sort-by-file --no-wrap .

babel-update: babel-extract
	$(BIN)/pybabel update -i incubator/translations/messages.pot -d incubator/translations --no-wrap

babel-compile: $(STAMP)
	$(BIN)/pybabel -q compile -d incubator/translations

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
