# iomshare: two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The OpenID Connect provider the single sign-on tests start on loopback (node, tools/oidc-provider).
PROVIDER := tools/oidc-provider
PROVIDER_STAMP := $(PROVIDER)/node_modules/.package-lock.json

.PHONY: install demo test lint unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Without npm the demo still runs; the single sign-on tests then fail, saying what is missing.
$(PROVIDER_STAMP): $(PROVIDER)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(PROVIDER) --no-audit --no-fund; \
	else echo "npm not found: the single sign-on tests need node and npm (apt-get install nodejs npm)"; fi

install: $(STAMP) $(PROVIDER_STAMP)

demo: install
	$(BIN)/iomshare migrate
	$(BIN)/iomshare demo --reset-if-absent
	IOMSHARE_PLAIN_HTTP_DEMO=1 $(BIN)/iomshare serve --with-worker --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/iomshare check-migrations
	# The layers of docs/architecture.md, as contracts in pyproject.toml.
	$(BIN)/lint-imports --no-logo
	# Types, with django-stubs, over every module (pyproject.toml [tool.mypy]).
	$(BIN)/mypy src/iomshare

unit: install
	# One process: pytest-django then runs transactional (browser) tests last, after the tests that rely on
	# migration-seeded data, because a transactional test flushes every table when it ends.
	$(BIN)/pytest -p no:cacheprovider

test: lint unit

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/*.sqlite3 test-output $(PROVIDER)/node_modules
