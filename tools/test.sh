#!/usr/bin/env bash
# Set everything up, then run the whole test suite: three workers (pytest-xdist) on two cores, each test file on one
# worker, so that a file's module fixtures are made once, the longest files first (tests/conftest.py,
# docs/testing.md). `-n 0` runs it in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec .venv/bin/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder --durations=20 "$@"
