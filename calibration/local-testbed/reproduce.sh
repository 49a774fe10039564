#!/usr/bin/env bash
# Reproduces the local-testbed calibration campaign (about 25 minutes, as root on a Linux machine set up
# by scripts/setup.sh): live training runs → calibrate → live held-out runs → validate-twin.
#   sudo calibration/local-testbed/reproduce.sh            # everything, into runs/local-testbed/ (the shipped files are left alone)
#   sudo calibration/local-testbed/reproduce.sh --ship     # the same, then replaces the shipped runs, params.yaml and report
# Re-scoring the shipped runs needs no root and takes seconds:
#   e2ctwin validate-twin scenarios/local-testbed.yaml --calibration calibration/local-testbed/params.yaml \
#     --configs calibration/local-testbed/held-out.yaml --live-runs calibration/local-testbed/runs/held-out
set -euo pipefail
cd "$(dirname "$0")/../.."
E2C=(node bin/e2ctwin.js)
CAMPAIGN=calibration/local-testbed
SCENARIO=scenarios/local-testbed.yaml
TESTBED=testbeds/local.yaml
# Per configuration: 3 repetitions of 40 s (warm-up 8 s) on one deployment. DURATION=10 REPEAT=1 makes a
# quick smoke run of the whole chain (its figures mean little); OUT changes the work folder.
LIVE=(--duration "${DURATION:-40}" --repeat "${REPEAT:-3}")
OUT=${OUT:-runs/local-testbed}
SHIP=no; [[ "${1:-}" == --ship ]] && SHIP=yes
rm -rf "$OUT"; mkdir -p "$OUT/runs/training"

# 1. Training runs: the configurations of training.yaml, live (one folder each).
node -e '
  const { parse } = require("yaml");
  for (const c of parse(require("fs").readFileSync(process.argv[1], "utf8")).configs) console.log([c.name, ...c.set].join(" "));
' "$CAMPAIGN/training.yaml" | while read -r name sets; do
  args=(); for s in $sets; do args+=(--set "$s"); done
  echo "== training run $name: ${args[*]}" >&2
  "${E2C[@]}" live "$SCENARIO" --testbed "$TESTBED" "${LIVE[@]}" "${args[@]}" --out "$OUT/runs/training/$name" > "$OUT/runs/training/$name.txt"
done

# 2. Calibrate on the training runs only: stage laws by maximum likelihood, then the two factors.
"${E2C[@]}" calibrate "$OUT"/runs/training/*/ -o "$OUT/params.yaml" --fit-factors | tee "$OUT/calibrate.txt"

# 3. Held-out runs live, then the validation (validate-twin runs what has no run folder yet).
"${E2C[@]}" validate-twin "$SCENARIO" --calibration "$OUT/params.yaml" --configs "$CAMPAIGN/held-out.yaml" \
  --testbed "$TESTBED" "${LIVE[@]}" --live-runs "$OUT/runs/held-out" --out "$OUT" | tee "$OUT/validation.txt"

if [[ $SHIP == yes ]]; then
  # Keep what re-scoring and calibrating need: run.json, metrics.json, scenario.resolved.json, trace.jsonl.gz.
  rm -rf "$CAMPAIGN/runs"
  for d in "$OUT"/runs/*/*/; do
    dest="$CAMPAIGN/runs/${d#"$OUT/runs/"}"; mkdir -p "$dest"
    cp "$d"/run.json "$d"/metrics.json "$d"/scenario.resolved.json "$dest"
    cp "$d"/network.json "$dest"
    gzip -9n < "$d/trace.jsonl" > "$dest/trace.jsonl.gz"
    [[ -f "${d%/}.txt" ]] && cp "${d%/}.txt" "$dest/live.txt"
  done
  # Paths relative to the repository, not to this machine.
  grep -rl "$PWD/" "$CAMPAIGN/runs" | xargs -r sed -i "s#$PWD/##g"
  # The params file as calibrate writes it from the shipped runs (same numbers, shipped paths in its provenance).
  "${E2C[@]}" calibrate "$CAMPAIGN"/runs/training/*/ -o "$CAMPAIGN/params.yaml" --fit-factors | tee "$CAMPAIGN/calibrate.txt"
  "${E2C[@]}" validate-twin "$SCENARIO" --calibration "$CAMPAIGN/params.yaml" --configs "$CAMPAIGN/held-out.yaml" \
    --live-runs "$CAMPAIGN/runs/held-out" --out "$CAMPAIGN" | tee "$CAMPAIGN/validation.txt"
fi
