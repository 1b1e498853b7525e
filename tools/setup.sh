#!/usr/bin/env bash
# Set up everything the assistant and its tests need, on Debian or Ubuntu with Python 3.11+.
# Idempotent and unattended: system packages via apt-get, Python packages into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(espeak-ng libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins sox pocketsphinx-testdata
          python3-venv festival festvox-kdlpc16k chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing system packages: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  touch "$stamp"
fi

# The Whisper model (tiny.en, about 75 MB): skipped when it is there and every file matches its
# SHA-256. Without it the assistant still runs, on PocketSphinx, and says so.
if ! .venv/bin/voice-triage models download whisper; then
  echo "setup: the Whisper model could not be fetched; the assistant will use PocketSphinx" >&2
fi
