#!/usr/bin/env bash
# Reproduces the image-service campaign (about 30 minutes, as root on a Linux machine set up by
# scripts/setup.sh): live training runs → calibrate-twin → the twin's predictions of the held-out
# configurations → live held-out runs → validate-twin. It writes into this folder (runs/, the set, the
# params, predictions/, the reports), replacing the shipped files: `git diff` shows what moved.
#   sudo calibration/image-service/reproduce.sh
#   sudo calibration/image-service/reproduce.sh --no-live   # re-fit and re-score the shipped runs only (no root, minutes)
# DURATION=10 REPEAT=1 makes a quick smoke run of the whole chain (its figures mean little).
set -euo pipefail
cd "$(dirname "$0")/../.."
E2C=(node bin/e2ctwin.js)
CAMPAIGN=calibration/image-service
SCENARIO=scenarios/image-service.yaml
TESTBED=testbeds/local.yaml
# Per configuration: 3 repetitions of 30 s (the first 8 s of each excluded) on one deployment.
LIVE=(--duration "${DURATION:-30}" --warmup "${WARMUP:-8}" --repeat "${REPEAT:-3}")
LIVE_RUNS=yes; [[ "${1:-}" == --no-live ]] && LIVE_RUNS=no

configs() { # name and overrides of each configuration of a configs file, one line each
  node -e '
    const { parse } = require("yaml");
    for (const c of parse(require("fs").readFileSync(process.argv[1], "utf8")).configs) console.log([c.name, ...c.set].join(" "));
  ' "$1"
}

# What a shipped run folder keeps (as calibration/local-testbed/): what re-scoring and calibrating read.
trim() { # <run folder> [<live output file>]
  local d=$1
  [[ -f "$d/trace.jsonl" ]] && gzip -9nf "$d/trace.jsonl"
  find "$d" -mindepth 1 -maxdepth 1 ! -name run.json ! -name metrics.json ! -name scenario.resolved.json \
    ! -name network.json ! -name trace.jsonl.gz ! -name live.txt -exec rm -rf {} +
  [[ -n "${2:-}" && -f "$2" ]] && mv "$2" "$d/live.txt"
  grep -rl "$PWD/" "$d" | xargs -r sed -i "s#$PWD/##g"   # paths relative to the repository
}

# 1. Training runs: the configurations of training.yaml, live (one folder each).
if [[ $LIVE_RUNS == yes ]]; then
  rm -rf "$CAMPAIGN/runs"; mkdir -p "$CAMPAIGN/runs/training"
  configs "$CAMPAIGN/training.yaml" | while read -r name sets; do
    args=(); for s in $sets; do args+=(--set "$s"); done
    echo "== training run $name: ${args[*]}" >&2
    "${E2C[@]}" live "$SCENARIO" --testbed "$TESTBED" "${LIVE[@]}" "${args[@]}" --out "$CAMPAIGN/runs/training/$name" \
      > "$CAMPAIGN/runs/training/$name.txt"
    trim "$CAMPAIGN/runs/training/$name" "$CAMPAIGN/runs/training/$name.txt"
  done
fi

# 2. Calibrate on the training runs only (measurements.yaml names them): the plausible set, then the
#    point twin at its medians. No per-stage spans come from gunicorn, so there is no `calibrate` step.
"${E2C[@]}" calibrate-twin "$SCENARIO" -o "$CAMPAIGN/calibration-set.yaml" --budget 400 --samples 40 --no-progress \
  | tee "$CAMPAIGN/calibrate-twin.txt"
sed -i "s#$PWD/##g" "$CAMPAIGN/calibration-set.yaml" "$CAMPAIGN/calibrate-twin.txt"   # paths relative to the repository
node "$CAMPAIGN/params-from-set.mjs" "$CAMPAIGN/calibration-set.yaml" "$CAMPAIGN/params.yaml"

# 3. The twin's predictions of every held-out configuration, written before any of them is measured:
#    the point twin's mean, p95 and throughput (10 replications of the measured window) and the 90 %
#    prediction intervals over the calibration set.
mkdir -p "$CAMPAIGN/predictions"
configs "$CAMPAIGN/held-out.yaml" | while read -r name sets; do
  args=(); for s in $sets; do args+=(--set "$s"); done
  "${E2C[@]}" simulate "$SCENARIO" "${args[@]}" --set calibration=../$CAMPAIGN/params.yaml \
    --set run.duration="${DURATION:-30}" --set run.warmup="${WARMUP:-8}" -r 10 \
    --calibration-set "$CAMPAIGN/calibration-set.yaml" --json --no-progress > "$CAMPAIGN/predictions/$name.json"
done
node "$CAMPAIGN/predictions-table.mjs" "$CAMPAIGN/predictions" | tee "$CAMPAIGN/predictions.txt"

# 4. Held-out runs live (validate-twin runs what has no run folder yet), then the validation with the
#    calibration set's prediction intervals.
TB=(); [[ $LIVE_RUNS == yes ]] && TB=(--testbed "$TESTBED" "${LIVE[@]}")
"${E2C[@]}" validate-twin "$SCENARIO" --calibration "$CAMPAIGN/params.yaml" --configs "$CAMPAIGN/held-out.yaml" \
  "${TB[@]}" --live-runs "$CAMPAIGN/runs/held-out" --out "$CAMPAIGN" | tee "$CAMPAIGN/validation.txt"
for d in "$CAMPAIGN"/runs/held-out/*/; do trim "${d%/}"; done
"${E2C[@]}" validate-twin "$SCENARIO" --calibration "$CAMPAIGN/params.yaml" --configs "$CAMPAIGN/held-out.yaml" \
  --live-runs "$CAMPAIGN/runs/held-out" --calibration-set "$CAMPAIGN/calibration-set.yaml" \
  | tee "$CAMPAIGN/validation-uq.txt"
