#!/usr/bin/env bash
# Reproduces the nginx calibration campaign (about 30 minutes, as root on a Linux machine set up by
# scripts/setup.sh): live training runs → calibrate-twin → predictions of the held-out configurations →
# live held-out runs → validate-twin.
#   sudo calibration/nginx/reproduce.sh            # everything, into runs/nginx/ (the shipped files are left alone)
#   sudo calibration/nginx/reproduce.sh --ship     # the same, then replaces the shipped runs, set, predictions and report
# Steps one at a time: STEPS="predict" (or any of train calibrate predict held-out validate, space-separated).
# A later held-out round: ROUND=2 reads held-out-2.yaml and writes predictions-2.json, runs/held-out-2/ and
# validation-2.* (the set calibrated on the training runs is the shipped one: STEPS="predict held-out validate").
set -euo pipefail
cd "$(dirname "$0")/../.."
E2C=(node bin/e2ctwin.js)
CAMPAIGN=calibration/nginx
SCENARIO=scenarios/nginx-static.yaml
TESTBED=testbeds/local.yaml
# Per configuration: 3 repetitions of 30 s (warm-up 6 s) on one deployment; the twin simulates that window.
LIVE=(--duration "${DURATION:-30}" --repeat "${REPEAT:-3}")
WINDOW=(--set "run.duration=${DURATION:-30}" --set "run.warmup=$(( ${DURATION:-30} / 5 ))")
OUT=${OUT:-runs/nginx}
STEPS=${STEPS:-train calibrate predict held-out validate}
SUFFIX=${ROUND:+-$ROUND}; SUFFIX=${SUFFIX/#-1/}
HELD_OUT=held-out$SUFFIX
VOUT=$OUT${ROUND:+/round$ROUND}; [[ "${ROUND:-1}" == 1 ]] && VOUT=$OUT
# A later round predicts with the shipped set when this output folder has none.
if [[ -n "$SUFFIX" && ! -f "$OUT/calibration-set.yaml" ]]; then mkdir -p "$OUT"; cp "$CAMPAIGN/calibration-set.yaml" "$OUT/"; fi
SHIP=no; [[ "${1:-}" == --ship ]] && SHIP=yes
step() { [[ " $STEPS " == *" $1 "* ]]; }
configs() {
  node -e '
    const { parse } = require("yaml");
    for (const c of parse(require("fs").readFileSync(process.argv[1], "utf8")).configs) console.log([c.name, ...c.set].join(" "));
  ' "$1"
}
sets() { local a=(); for s in "$@"; do a+=(--set "$s"); done; echo "${a[@]}"; }

# 1. Training runs: the configurations of training.yaml, live (one folder each).
if step train; then
  mkdir -p "$OUT/runs/training"
  configs "$CAMPAIGN/training.yaml" | while read -r name rest; do
    echo "== training run $name: $rest" >&2
    # shellcheck disable=SC2046
    "${E2C[@]}" live "$SCENARIO" --testbed "$TESTBED" "${LIVE[@]}" $(sets $rest) --out "$OUT/runs/training/$name" > "$OUT/runs/training/$name.txt"
  done
fi

# 2. Calibrate with uncertainty on the training runs only (measurements.yaml names them; the scenario's
#    calibrate section gives the unknowns and their priors).
if step calibrate; then
  mkdir -p "$CAMPAIGN/runs"; rm -rf "$CAMPAIGN/runs/training"; cp -r "$OUT/runs/training" "$CAMPAIGN/runs/training"
  "${E2C[@]}" calibrate-twin "$SCENARIO" -o "$OUT/calibration-set.yaml" --budget 400 --samples 40 | tee "$OUT/calibrate-twin.txt"
fi

# 3. Predictions of every held-out configuration (point and 90 % interval over the set), written before
#    any held-out run exists: predictions.json.
if step predict; then
  {
    echo '{'
    first=1
    while read -r name rest; do
      # shellcheck disable=SC2046
      p=$("${E2C[@]}" simulate "$SCENARIO" $(sets $rest) "${WINDOW[@]}" --calibration-set "$OUT/calibration-set.yaml" --pi-replications 3 --json 2>/dev/null |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s).calibrated;const k=["responseTime.mean","responseTime.p95","throughput"];console.log(JSON.stringify(Object.fromEntries(k.map(x=>[x,c[x]]))))})')
      [[ $first == 1 ]] || echo ','
      first=0
      printf '  "%s": %s' "$name" "$p"
    done < <(configs "$CAMPAIGN/$HELD_OUT.yaml")
    echo; echo '}'
  } > "$OUT/predictions$SUFFIX.json"
  echo "wrote $OUT/predictions$SUFFIX.json" >&2
fi

# 4. Held-out runs live (validate-twin runs what has no run folder yet), 5. the validation.
if step held-out || step validate; then
  mkdir -p "$OUT/runs/$HELD_OUT"
  "${E2C[@]}" validate-twin "$SCENARIO" --calibration-set "$OUT/calibration-set.yaml" --pi-replications 3 \
    --configs "$CAMPAIGN/$HELD_OUT.yaml" $(step held-out && echo --testbed "$TESTBED") "${LIVE[@]}" \
    --live-runs "$OUT/runs/$HELD_OUT" --out "$VOUT" | tee "$OUT/validation$SUFFIX.txt"
fi

if [[ $SHIP == yes ]]; then
  # Keep what re-scoring and calibrating need: run.json, metrics.json, scenario.resolved.json, network.json, trace.jsonl.gz.
  rm -rf "$CAMPAIGN/runs"
  for d in "$OUT"/runs/*/*/; do
    dest="$CAMPAIGN/runs/${d#"$OUT/runs/"}"; mkdir -p "$dest"
    cp "$d"/run.json "$d"/metrics.json "$d"/scenario.resolved.json "$d"/network.json "$dest"
    gzip -9n < "$d/trace.jsonl" > "$dest/trace.jsonl.gz"
    [[ -f "${d%/}.txt" ]] && cp "${d%/}.txt" "$dest/live.txt"
  done
  grep -rl "$PWD/" "$CAMPAIGN/runs" | xargs -r sed -i "s#$PWD/##g"
  cp "$OUT"/calibration-set.yaml "$OUT"/calibrate-twin.txt "$OUT"/predictions.json "$OUT"/validation.json "$OUT"/plot.json "$OUT"/validation.txt "$CAMPAIGN/"
fi
