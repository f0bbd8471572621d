# The two commands of the README:  make run   |   make test
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench eval

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# torch first, from the local CPU wheel, so nothing later pulls a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m assistant serve

test: install
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/python -m assistant eval eval_sets/*.jsonl

bench: install
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answers.py
