#!/usr/bin/env bash
# Build the one-folder app bundle in dist/backprop-studio/ from a clean venv holding only the runtime
# dependencies (plus PyInstaller), so nothing else installed on this machine is swept in.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv build/bundle-venv
build/bundle-venv/bin/python -m pip install --quiet --upgrade pip
build/bundle-venv/bin/python -m pip install --quiet . "pyinstaller>=6"
build/bundle-venv/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    packaging/backprop-studio.spec
echo "Built dist/backprop-studio/backprop-studio; check it with: dist/backprop-studio/backprop-studio --self-test"
