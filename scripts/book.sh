#!/usr/bin/env bash
# First command: install Chapbook and build the sample book into dist/.
source "$(dirname "$0")/setup.sh"
.venv/bin/python -m pip install -q -e .
.venv/bin/python build.py "$@"
