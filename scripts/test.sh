#!/usr/bin/env bash
# Second command: install the test tools (Java for EPUBCheck too), run the quality gates
# and the tests.
source "$(dirname "$0")/setup.sh"
if ! command -v java >/dev/null; then apt_install default-jre-headless; fi
bash scripts/ace.sh  # Ace by DAISY and Chromium, for the accessibility tests (skipped without)
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check src tests build.py
.venv/bin/ruff format --check src tests build.py
.venv/bin/mypy --strict src
.venv/bin/python -m pytest -q "$@"
