#!/usr/bin/env bash
# Build the one-folder desktop bundle in dist/peacetable/ and smoke-test it.
#   bash packaging/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash packaging/dev.sh test --co -q >/dev/null
.venv/bin/python -m pip install -q "pyinstaller>=6.10"
.venv/bin/python -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
  packaging/peacetable.spec
app=dist/peacetable/peacetable
"$app" --version
"$app" validate dist/peacetable/_internal/scenarios/*.toml
# the GUI starts, opens a played session and loads the chart and network (pyqtgraph, networkx)
smoke=$(mktemp -d)
# the smoke test keeps its settings, recent files and logs in $smoke, not in the user's own
export XDG_CONFIG_HOME="$smoke/config" XDG_STATE_HOME="$smoke/state" XDG_DATA_HOME="$smoke/data" \
  XDG_CACHE_HOME="$smoke/cache"
"$app" new dist/peacetable/_internal/scenarios/peace-of-inches.toml -o "$smoke/s.peacetable" --seed 1
"$app" play "$smoke/s.peacetable" dist/peacetable/_internal/scenarios/peace-of-inches.moves.jsonl >/dev/null
QT_QPA_PLATFORM=offscreen PEACETABLE_BENCH_EXIT_ON_SHOW=visuals timeout 60 "$app" "$smoke/s.peacetable" \
  | grep -x "PEACETABLE_VISUALS ok"
rm -rf "$smoke"
echo "built $(du -sh dist/peacetable | cut -f1) in dist/peacetable/; run $app"
