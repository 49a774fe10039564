#!/usr/bin/env bash
# Redoes the Pl@ntNet calibration with uncertainty and what docs/plantnet-uncertainty.md reports from it:
# the calibration set, the one-at-a-time curves of the extract and simsearch pools with 90 % prediction
# intervals, the optimizer's recommendation with its probability of being the best, and the next measurement.
# About 15 minutes on 2 cores. Run from the repository root: calibration/plantnet/reproduce.sh
set -euo pipefail
e2ctwin() { node bin/e2ctwin.js "$@"; }
out=calibration/plantnet
e2ctwin calibrate-twin scenarios/plantnet.yaml -o $out/calibration-set.yaml --budget 2000 --samples 40 --no-progress | tee $out/calibrate-twin.txt

# One row per configuration: simulated (as written) mean ± CI, calibrated point and 90 % interval.
row() {
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); const c = m.calibrated["responseTime.mean"];
    console.log([process.argv[1], m.responseTime.mean.toFixed(3), "±" + m.ci95["responseTime.mean"].halfWidth.toFixed(3), c.point.toFixed(3), c.lo90.toFixed(3) + "–" + c.hi90.toFixed(3)].join("\t"))' "$1"
}
{
  printf 'extract\tas written\t95%% CI\tcalibrated\t90%% prediction interval\n'
  for x in 1 2 3 4 5 6 7 8 9; do
    e2ctwin simulate scenarios/plantnet.yaml --set cloud.engine.pools.extract=$x --calibration-set $out/calibration-set.yaml --pi-replications 1 --json --no-progress | row "$x"
  done
  printf '\nsimsearch\tas written\t95%% CI\tcalibrated\t90%% prediction interval\n'
  for s in 10 20 30 40 50 60; do
    e2ctwin simulate scenarios/plantnet.yaml --set cloud.engine.pools.simsearch=$s --calibration-set $out/calibration-set.yaml --pi-replications 1 --json --no-progress | row "$s"
  done
} | tee $out/oat.txt

e2ctwin optimize scenarios/plantnet.yaml -a tpe -b 40 --calibration-set $out/calibration-set.yaml --out runs/plantnet-uq-optimize --fresh --no-progress | tee $out/optimize.txt
e2ctwin suggest-measurement scenarios/plantnet.yaml --calibration-set $out/calibration-set.yaml --no-progress | tee $out/suggest-measurement.txt
