#!/usr/bin/env bash
# Set everything up, then start the assistant (arguments are passed on: --text, --kiosk, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec .venv/bin/voice-triage "$@"
