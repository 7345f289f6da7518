# Two entry points for a fresh machine: `make run` and `make test`. Both create .venv
# with Python 3.11 and the pinned dependency set (constraints.txt) the first time.
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test install clean

run: $(STAMP)
	$(VENV)/bin/speechcorpus build --input data/inbox --output output

test: $(STAMP)
	$(VENV)/bin/pytest

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .prefect .cache output
