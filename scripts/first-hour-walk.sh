#!/usr/bin/env bash
# The first hour in the browser against the console's test (BENCHMARKS.md, issue 71): the walk
# (the sign-up landing signed in, the owner's onboarding checklist, first-hour.spec.ts's three
# steps) and console.spec.ts's four tests, run by scripts/web-e2e.sh one test at a time (one
# worker: nothing beside them), ROUNDS times each (default 3); prints each round's times and ratio
# and the ratio of the sums. Target: at most 1.0.
#
#   scripts/first-hour-walk.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
rounds=${1:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/first-hour-walk.sh [ROUNDS]"
log=$(mktemp "${TMPDIR:-/tmp}/first-hour-walk.XXXXXX")
trap 'rm -f "$log"' EXIT
walk=(tests/signup.spec.ts:7 tests/onboarding.spec.ts:8 tests/first-hour.spec.ts)
E2E_WORKERS=1 scripts/web-e2e.sh -- --repeat-each="$rounds" "${walk[@]}" tests/console.spec.ts | tee "$log"
python3 - "$log" "$rounds" <<'PY'
import re, sys
from collections import defaultdict

text, rounds = open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])
seconds = lambda d: float(d[:-2]) / 1000 if d.endswith("ms") else float(d[:-1])
seen = defaultdict(int)
sums = defaultdict(lambda: defaultdict(float))
for where, took in re.findall(r"✓\s+\d+ (tests/\S+) › .* \(([\d.]+m?s)\)$", text, re.M):
    part = "console" if where.startswith("tests/console.spec") else "walk"
    sums[seen[where]][part] += seconds(took)
    seen[where] += 1
if len(sums) != rounds or any(len(parts) != 2 for parts in sums.values()):
    sys.exit("first-hour-walk: not every round of both parts passed")
for at in range(rounds):
    walk, console = sums[at]["walk"], sums[at]["console"]
    print(f"round {at + 1}: walk {walk:.1f} s, console {console:.1f} s, ratio {walk / console:.2f}")
walk, console = (sum(sums[at][part] for at in range(rounds)) for part in ("walk", "console"))
print(f"all {rounds} rounds: walk {walk:.1f} s, console {console:.1f} s, ratio {walk / console:.2f} (target: at most 1.0)")
PY
