#!/usr/bin/env bash
# Build the one-folder desktop bundle with one command:   packaging/build.sh
#
# Makes a venv holding only the runtime dependencies and PyInstaller (build/bundle-venv, reused by later builds),
# so torch, test tools or anything else installed on this machine can't be swept into the bundle, builds
# dist/backprop-studio/ from packaging/backprop-studio.spec, then runs the bundle's --self-test offscreen.
# Environment: PYTHON (interpreter for the venv, default python3), DIST (default dist), WORK (default build),
# SKIP_SELF_TEST=1 to skip the check.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
DIST="${DIST:-dist}"
WORK="${WORK:-build}"
VENV="$WORK/bundle-venv"
started=$(date +%s)

[ -e "$VENV/pyvenv.cfg" ] || "$PYTHON" -m venv "$VENV"
BIN="$VENV/bin"
[ -d "$VENV/Scripts" ] && BIN="$VENV/Scripts"  # Windows (Git Bash)
"$BIN/python" -m pip install --quiet ".[packaging]"
"$BIN/python" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" \
    packaging/backprop-studio.spec

APP="$DIST/backprop-studio/backprop-studio"
echo "Built $APP ($(du -sh "$DIST/backprop-studio" | cut -f1)) in $(( $(date +%s) - started )) s"
if [ "${SKIP_SELF_TEST:-0}" != "1" ]; then
    QT_QPA_PLATFORM=offscreen "$APP" --self-test
fi
