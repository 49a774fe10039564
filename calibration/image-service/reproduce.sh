#!/usr/bin/env bash
# Reproduces the image-service campaign (as root on a Linux machine set up by scripts/setup.sh): live
# training runs → calibrate-twin → the twin's predictions of the held-out configurations → live held-out
# runs → validate-twin. It writes into this folder (runs/, the set, predictions/, the reports), replacing
# the shipped files: `git diff` shows what moved.
#   sudo calibration/image-service/reproduce.sh                        # everything (≈ 45 min: 17 live runs)
#   calibration/image-service/reproduce.sh --no-live                   # re-fit, re-predict, re-score the shipped runs (no root, a minute)
#   STEPS="predict" calibration/image-service/reproduce.sh             # steps one at a time: any of train calibrate predict held-out validate
#   ROUND=4 TRAIN_ROUND=3 LIVE_LOCK="lock.sh chrt -r 10" sudo -E calibration/image-service/reproduce.sh   # round 4: round 3's
#                                                                      # training runs, a new held-out set (held-out-4.yaml)
#   ROUND=5 SET_ROUND=4 STEPS="predict held-out validate" LIVE_LOCK="chrt -r 10" sudo -E calibration/image-service/reproduce.sh
#                                                                      # round 5: round 4's set, a new held-out set (held-out-5.yaml)
#   ROUND=3 LIVE_LOCK="chrt -r 10" sudo -E calibration/image-service/reproduce.sh   # round 3 (below); each live run at real-time
#                                                                      # priority: the testbed ahead of other jobs for the CPU
#   LIVE_LOCK=path/to/lock.sh sudo -E calibration/image-service/reproduce.sh   # each `e2ctwin live` run as `lock.sh e2ctwin live …`
#                                                                      # (a machine whose testbed other jobs share)
# DURATION=10 REPEAT=1 makes a quick smoke run of the whole chain (its figures mean little).
set -euo pipefail
cd "$(dirname "$0")/../.."
E2C=(node bin/e2ctwin.js)
CAMPAIGN=calibration/image-service
SCENARIO=scenarios/image-service.yaml
TESTBED=testbeds/local.yaml
# Per configuration: 3 repetitions of 30 s (the first 8 s of each excluded) on one deployment; the twin
# simulates the same window.
LIVE=(--duration "${DURATION:-30}" --warmup "${WARMUP:-8}" --repeat "${REPEAT:-3}")
WINDOW=(--set "run.duration=${DURATION:-30}" --set "run.warmup=${WARMUP:-8}")
STEPS=${STEPS:-train calibrate predict held-out validate}
# A later round (ROUND=3, the third: the second's files have no suffix, the first is in REPORT.md): the
# training runs measured again into runs/training-3 (named by measurements-3.yaml), calibrated into
# calibration-set-3.yaml, predictions of held-out-3.yaml into predictions-3/, its runs into runs/held-out-3
# and its report into round3/. The earlier rounds' files are left alone.
# TRAIN_ROUND=3 with ROUND=4: the fourth round calibrates on the third round's training runs
# (measurements-3.yaml, runs/training-3) rather than measuring them again (the `train` step then measures
# into runs/training-3, skipping the runs already there).
SUFFIX=${ROUND:+-$ROUND}; SUFFIX=${SUFFIX/#-1/}
TRAIN_SUFFIX=${TRAIN_ROUND:+-$TRAIN_ROUND}; TRAIN_SUFFIX=${TRAIN_SUFFIX:-$SUFFIX}; TRAIN_SUFFIX=${TRAIN_SUFFIX/#-1/}
TRAIN_RUNS=$CAMPAIGN/runs/training$TRAIN_SUFFIX
# SET_ROUND=4 with ROUND=5: the fifth round predicts with the fourth round's set (no new calibration).
SET_SUFFIX=${SET_ROUND:+-$SET_ROUND}; SET_SUFFIX=${SET_SUFFIX:-$SUFFIX}; SET_SUFFIX=${SET_SUFFIX/#-1/}
SET_FILE=$CAMPAIGN/calibration-set$SET_SUFFIX.yaml
PREDICTIONS=$CAMPAIGN/predictions$SUFFIX
HELD_OUT=$CAMPAIGN/held-out$SUFFIX.yaml
REPORT=$CAMPAIGN${SUFFIX:+/round${SUFFIX#-}}
# TWIN_SETS="path=value …": overrides of the twin in every step that simulates (calibrate, predict, validate),
# never of the live runs — e.g. round 6's measured CPU of the testbed itself per request
# (cloud.images.host.cpu.sharedPerRequestS=0.040).
TWIN=(); TWIN_AS_TWIN=(); for s in ${TWIN_SETS:-}; do TWIN+=(--set "$s"); TWIN_AS_TWIN+=(--twin-set "$s"); done
MEASURED=(); [[ -n "$TRAIN_SUFFIX" ]] && MEASURED=(--set "calibrate.measurements=../$CAMPAIGN/measurements$TRAIN_SUFFIX.yaml")
# HELD_OUT_RUNS and VALIDATION_OUT measure the held-out set again into another folder and score it there
# (e.g. on a quiet machine, with the predictions already committed), keeping the shipped round.
HELD_OUT_RUNS=${HELD_OUT_RUNS:-$CAMPAIGN/runs/held-out$SUFFIX}
VALIDATION_OUT=${VALIDATION_OUT:-$REPORT${SUFFIX:+/validation}}
mkdir -p "$REPORT"
[[ "${1:-}" == --no-live ]] && STEPS="calibrate predict validate"
step() { [[ " $STEPS " == *" $1 "* ]]; }
read -r -a LOCK <<< "${LIVE_LOCK:-}"

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

live_runs() { # <configs file> <runs folder>: one live run per configuration not measured yet
  mkdir -p "$2"
  configs "$1" | while read -r name sets; do
    [[ -f "$2/$name/metrics.json" ]] && continue
    args=(); for s in $sets; do args+=(--set "$s"); done
    echo "== live run $name: ${args[*]}" >&2
    "${LOCK[@]}" "${E2C[@]}" live "$SCENARIO" --testbed "$TESTBED" "${LIVE[@]}" "${args[@]}" --out "$2/$name" > "$2/$name.txt"
    trim "$2/$name" "$2/$name.txt"
  done
}

# 1. Training runs: the configurations of training.yaml, live (one folder each).
if step train; then live_runs "$CAMPAIGN/training.yaml" "$TRAIN_RUNS"; fi

# 2. Calibrate with uncertainty on the training runs only (measurements.yaml names them; the scenario's
#    calibrate section gives the unknowns, their priors and the model discrepancy). No per-stage spans
#    come from gunicorn, so there is no `calibrate` step: the set's median vector is the point twin.
if step calibrate; then
  "${E2C[@]}" calibrate-twin "$SCENARIO" "${MEASURED[@]}" "${TWIN[@]}" -o "$SET_FILE" --budget 1500 --samples 40 --no-progress \
    | tee "$REPORT/calibrate-twin.txt"
  sed -i "s#$PWD/##g" "$SET_FILE" "$REPORT/calibrate-twin.txt"   # paths relative to the repository
fi

# 3. The twin's predictions of every held-out configuration, written (and committed) before any of them is
#    measured: the median vector's mean, p95 and throughput and the 90 % prediction intervals over the set.
if step predict; then
  rm -rf "$PREDICTIONS"; mkdir -p "$PREDICTIONS"
  configs "$HELD_OUT" | while read -r name sets; do
    args=(); for s in $sets; do args+=(--set "$s"); done
    "${E2C[@]}" simulate "$SCENARIO" "${args[@]}" "${TWIN[@]}" "${WINDOW[@]}" --calibration-set "$SET_FILE" \
      --pi-replications 3 --json --no-progress > "$PREDICTIONS/$name.json"
  done
  node "$CAMPAIGN/predictions-table.mjs" "$PREDICTIONS" | tee "$REPORT/predictions.txt"
fi

# 4. Held-out runs live, one `e2ctwin live` per configuration (each under LIVE_LOCK when given).
if step held-out; then live_runs "$HELD_OUT" "$HELD_OUT_RUNS"; fi

# 5. The validation: the set's median vector against the held-out runs, with the 90 % prediction intervals.
if step validate; then
  "${E2C[@]}" validate-twin "$SCENARIO" "${TWIN_AS_TWIN[@]}" --calibration-set "$SET_FILE" --pi-replications 3 \
    --configs "$HELD_OUT" --live-runs "$HELD_OUT_RUNS" --out "$VALIDATION_OUT" | tee "$REPORT/validation.txt.part"
  mv "$REPORT/validation.txt.part" "$VALIDATION_OUT/validation.txt"   # after: validate-twin writes only into an empty folder
  sed -i "s#$PWD/##g" "$VALIDATION_OUT/validation.json" "$VALIDATION_OUT/plot.json" "$VALIDATION_OUT/validation.txt"
fi
