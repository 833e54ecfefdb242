#!/usr/bin/env bash
# Tests/Browser/selftest.sh: check_page.py against its own fixtures, in a real Chromium.
#
# Serves fixtures/ with python3 -m http.server on 127.0.0.1 (a port the kernel chooses), runs
# check_page.py on good.html (exit 0, three complete charts with their values, at a desktop
# width and on an emulated 390 px phone), on bad.html (exit 1, naming its console error, its
# page error and its external requests) and on two usage errors (exit 2). Bounded: every step
# under `timeout`.
#
#   PASSERELLE_BROWSER_PYTHON  the Python with Playwright (default: .build/browser-venv/bin/python)
#   PASSERELLE_CHROMIUM        Chromium (default: /usr/bin/chromium)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PASSERELLE_BROWSER_PYTHON:-$ROOT/.build/browser-venv/bin/python}
CHROMIUM=${PASSERELLE_CHROMIUM:-/usr/bin/chromium}
CHECK=(timeout 120 "$PYTHON" "$HERE/check_page.py" --chromium "$CHROMIUM" --timeout 30)

say() { printf 'selftest: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

[ -x "$PYTHON" ] || die "no Python at $PYTHON: run compose/dev's install_browser, or set PASSERELLE_BROWSER_PYTHON"
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM: apt-get install chromium, or set PASSERELLE_CHROMIUM"

SCRATCH=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Port 0: the kernel chooses; http.server prints the one it got. At most 5 minutes in all.
(cd "$HERE/fixtures" && exec timeout 300 env PYTHONUNBUFFERED=1 python3 -m http.server --bind 127.0.0.1 0) \
    >"$SCRATCH/server.log" 2>&1 </dev/null &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -nE 's/^Serving HTTP on 127\.0\.0\.1 port ([0-9]+).*/\1/p' "$SCRATCH/server.log" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$SCRATCH/server.log" >&2; die "the fixture server did not start"; }
BASE=http://127.0.0.1:$PORT
say "fixtures at $BASE, $("$PYTHON" -c 'from importlib.metadata import version; print("playwright", version("playwright"))'), $("$CHROMIUM" --version 2>/dev/null)"

passed=0 failed=0

# run NAME EXPECTED_EXIT ARGS…: check_page.py with ARGS, its report in $SCRATCH/NAME.json and
# its screenshot in $SCRATCH/NAME.png; a wrong exit status is a failure.
run() {
    local name=$1 expected=$2 status=0
    shift 2
    "${CHECK[@]}" --screenshot "$SCRATCH/$name.png" --report "$SCRATCH/$name.json" "$@" \
        >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" || status=$?
    if [ "$status" -ne "$expected" ]; then
        say "FAIL $name: exit status $status, expected $expected"
        sed 's/^/    /' "$SCRATCH/$name.err" "$SCRATCH/$name.out" | head -n 60 >&2
        failed=$((failed + 1))
        return 1
    fi
}

# expect NAME PYTHON-ASSERTIONS: the assertions (Python, `r` the report, `png` the screenshot's
# bytes) on NAME's report.
expect() {
    local name=$1 assertions=$2
    if timeout 30 python3 - "$SCRATCH/$name.json" "$SCRATCH/$name.png" "$assertions" 2>"$SCRATCH/$name.assert"; then
        say "ok   $name"
        passed=$((passed + 1))
    else
        say "FAIL $name:"
        sed 's/^/    /' "$SCRATCH/$name.assert" >&2
        failed=$((failed + 1))
    fi
} <<'PY'
import json, sys
report_path, png_path, assertions = sys.argv[1:4]
r = json.load(open(report_path, encoding="utf-8"))
png = open(png_path, "rb").read()
failures = []
for line in assertions.strip().splitlines():
    line = line.strip()
    if line and not eval(line, {"r": r, "png": png}):
        failures.append(line)
for line in failures:
    print(f"not true: {line}", file=sys.stderr)
if failures:
    print(f"report: {json.dumps(r, ensure_ascii=False)[:3000]}", file=sys.stderr)
sys.exit(1 if failures else 0)
PY

GOOD_CHARTS='
r["status"] == 200 and r["ok"] is True and r["problems"] == []
r["title"] == "Passerelle — tableau de bord (fixture)" and r["lang"] == "fr"
r["consoleErrors"] == [] and r["externalRequests"] == []
[c["name"] for c in r["charts"]] == ["matches-by-week", "delivery-status", "delays"]
all(c["svg"] and c["table"] and c["complete"] and c["svgRole"] == "img" for c in r["charts"])
[c["marks"] for c in r["charts"]] == [4, 3, 3] and [c["tableRows"] for c in r["charts"]] == [4, 3, 3]
[c["values"] for c in r["charts"]] == [["12", "19", "7", "23"], ["41", "3", "1"], ["2.5", "1.8", "3.1"]]
all(c["tableValues"] == c["values"] for c in r["charts"])
r["charts"][1]["caption"] == "SMS par état" and r["charts"][2]["ariaLabel"] == "Délai de réponse par semaine"
png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
'

# The third chart is drawn after a same-origin fetch: wait for it rather than for the network.
WAIT=(--wait-for 'figure[data-chart="delays"][data-drawn]')

if run good 0 --url "$BASE/good.html" --expect-charts 3 "${WAIT[@]}"; then
    expect good "$GOOD_CHARTS
r[\"viewport\"] is None and r[\"viewportOverflow\"] is None"
fi

if run good-phone 0 --url "$BASE/good.html" --expect-charts 3 "${WAIT[@]}" --viewport 390x844 --mobile --forbid-overflow; then
    expect good-phone "$GOOD_CHARTS
r[\"viewport\"] == {\"width\": 390, \"height\": 844} and r[\"viewportOverflow\"] is False"
fi

# More charts than the page has: not ok.
if run good-too-few 1 --url "$BASE/good.html" --expect-charts 4 "${WAIT[@]}"; then
    expect good-too-few '
r["ok"] is False and len(r["charts"]) == 3
any("expected at least 4" in p for p in r["problems"])
'
fi

if run bad 1 --url "$BASE/bad.html" --expect-charts 1 --viewport 390x844; then
    expect bad '
r["status"] == 200 and r["ok"] is False
{"kind": "console", "text": "bad fixture: deliberate console error", "url": r["url"]} in r["consoleErrors"]
any(e["kind"] == "pageerror" and "undefinedFunctionOfBadFixture" in e["text"] for e in r["consoleErrors"])
any(e["kind"] == "http" and e["url"].endswith("/missing.png") for e in r["consoleErrors"])
{"url": "https://cdn.example.org/x.js", "resourceType": "script"} in r["externalRequests"]
any(e["url"].startswith("https://fonts.example.org/") for e in r["externalRequests"])
not any("ERR_BLOCKED_BY_CLIENT" in e["text"] for e in r["consoleErrors"])
[(c["name"], c["svg"], c["marks"], c["values"], c["table"], c["tableRows"], c["complete"]) for c in r["charts"]] == [("no-table", True, 2, ["4", "2"], False, 0, False)]
any("no-table" in p and "no <table>" in p for p in r["problems"])
any("cdn.example.org/x.js" in p for p in r["problems"])
any("deliberate console error" in p for p in r["problems"])
r["viewportOverflow"] is True
png[:8] == b"\x89PNG\r\n\x1a\n"
'
fi

# Usage errors and a missing browser: exit 2, a reason on standard error, no report.
usage() {
    local name=$1 pattern=$2
    shift 2
    local status=0
    timeout 60 "$PYTHON" "$HERE/check_page.py" "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" || status=$?
    if [ "$status" -eq 2 ] && grep -q -- "$pattern" "$SCRATCH/$name.err" && [ ! -s "$SCRATCH/$name.out" ]; then
        say "ok   $name"
        passed=$((passed + 1))
    else
        say "FAIL $name: exit status $status (expected 2), standard error:"
        sed 's/^/    /' "$SCRATCH/$name.err" >&2
        failed=$((failed + 1))
    fi
}
usage usage-no-url "the following arguments are required: --url" --screenshot "$SCRATCH/x.png"
usage no-chromium "no Chromium executable at $SCRATCH/no-chromium" \
    --url "$BASE/good.html" --screenshot "$SCRATCH/x.png" --chromium "$SCRATCH/no-chromium"

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
