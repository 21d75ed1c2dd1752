# The README's commands. Every target creates (once) and reuses the virtualenv in .venv.
PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
PIP    := $(VPY) -m pip --disable-pip-version-check
BUILT  := $(VENV)/.nnfast-built
SOURCES := $(wildcard src/*.pyx src/*.pxd) setup.py pyproject.toml

.PHONY: demo test test-debug bench bench-peers wheel test-interop build clean

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Build requirements first (no build isolation: the venv already holds them), then the
# package in editable mode with its test extras, then the extension in place.
$(BUILT): $(VPY) $(SOURCES)
	$(PIP) install -q "setuptools>=64" wheel "Cython>=3.1" "numpy>=2" scipy
	$(PIP) install -q --no-build-isolation -e ".[test]"
	$(VPY) setup.py -q build_ext --inplace
	@touch $(BUILT)

build: $(BUILT)

demo: $(BUILT)
	$(VPY) examples/demo_digits.py

test: $(BUILT)
	$(VPY) -m pytest tests -q -p no:cacheprovider

# Kernel tests under a bounds-checked build (NNFAST_DEBUG_CYTHON), then the normal build back.
test-debug: $(BUILT)
	NNFAST_DEBUG_CYTHON=1 $(VPY) setup.py -q build_ext --inplace --force
	$(VPY) -m pytest tests/kernels -q -p no:cacheprovider; status=$$?; \
	$(VPY) setup.py -q build_ext --inplace --force; exit $$status

bench: $(BUILT)
	$(VPY) -m pytest bench -q -p no:cacheprovider --benchmark-only --benchmark-columns=median,iqr,rounds

# Installs the peers (PyTorch as exactly torch==2.13.0: any other spelling pulls GBs of
# CUDA), then runs the one-process-tree comparison at 1 thread and at all cores.
bench-peers: $(BUILT)
	$(PIP) install -q torch==2.13.0 tensorflow-cpu==2.21.0 keras
	KERAS_BACKEND=tensorflow $(VPY) bench/compare.py --threads 1
	KERAS_BACKEND=tensorflow $(VPY) bench/compare.py --threads $$(nproc)

wheel: $(BUILT)
	$(PIP) wheel . --no-deps --no-build-isolation -w dist

test-interop: $(BUILT)
	$(PIP) install -q torch==2.13.0 tensorflow-cpu==2.21.0 keras
	KERAS_BACKEND=tensorflow $(VPY) -m pytest tests -q -p no:cacheprovider -m interop

clean:
	rm -rf build dist $(VENV) nnfast/_ext/*.so
