/** Scores of a twin's predictions against measurements over several configurations. */

/** Mean absolute percentage error, |p − m|/m averaged (a fraction, 0.1 = 10 %). */
export function mape(predicted: readonly number[], measured: readonly number[]): number {
  return (
    predicted.reduce((a, p, i) => a + Math.abs(p - measured[i]!) / Math.abs(measured[i]!), 0) /
    predicted.length
  );
}

/** Signed mean percentage error, (p − m)/m averaged: positive when the twin predicts too high. */
export function bias(predicted: readonly number[], measured: readonly number[]): number {
  return predicted.reduce((a, p, i) => a + (p - measured[i]!) / Math.abs(measured[i]!), 0) / predicted.length;
}

/** Ranks with ties averaged (1-based). */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation: Pearson's correlation of the ranks (ties averaged). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((x, y) => x + y, 0) / n;
  const mb = rb.reduce((x, y) => x + y, 0) / n;
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/**
 * Transfer regret of choosing by the twin: the measured value of the configuration the twin ranks
 * best, divided by the best measured value (1 = the twin picks the measured best). Lower is better.
 */
export function regret(predicted: readonly number[], measured: readonly number[]): number {
  let pick = 0;
  predicted.forEach((p, i) => {
    if (p < predicted[pick]!) pick = i;
  });
  return measured[pick]! / Math.min(...measured);
}
