# The README's two commands: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint protos bench clean image-test chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The simulated site (simulator/) is a package of its own, installed beside the connector.
$(STAMP): pyproject.toml simulator/pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ./simulator -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/baton-confluence demo

# The review page's browser tests use Debian's Chromium: installed here where we are root with
# apt-get; elsewhere those tests are skipped (in CI, where CI is set, they fail instead).
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } \
	  || echo "make test: Chromium is not installed (apt-get install chromium); the browser tests will be skipped"

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

protos: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info

# The container image built and run with podman (scripts/image_test.py says what it checks).
# IMAGE_TEST_FLAGS=--rebuild-base starts from nothing; .ci/run adds --if-runtime-available.
image-test: $(STAMP)
	$(BIN)/python scripts/image_test.py $(IMAGE_TEST_FLAGS)
