// Bjøntegaard delta rate (VCEG-M33): how many more (or, negative, fewer) bits a codec spends than a reference for the
// same PSNR, over the PSNR range both curves cover. Each curve is log10(bitrate) fitted as a cubic in PSNR through its
// points (least squares; exact with four), integrated over the common range.
// Reads {"reference": [[kbps, psnr], ...], "test": [[kbps, psnr], ...]} on stdin; prints the delta in percent.
import { readFileSync } from 'node:fs';

const { reference, test } = JSON.parse(readFileSync(0, 'utf8'));
console.log(bdRate(reference, test).toFixed(2));

function bdRate(ref, tst) {
  const fit = points => polyfit(points.map(p => p[1]), points.map(p => Math.log10(p[0])), 3);
  const [a, b] = [fit(ref), fit(tst)];
  const low = Math.max(Math.min(...ref.map(p => p[1])), Math.min(...tst.map(p => p[1])));
  const high = Math.min(Math.max(...ref.map(p => p[1])), Math.max(...tst.map(p => p[1])));
  if (!(high > low)) return NaN;
  const integral = (c, x) => c.reduce((sum, k, i) => sum + (k * x ** (i + 1)) / (i + 1), 0);
  const meanA = (integral(a, high) - integral(a, low)) / (high - low);
  const meanB = (integral(b, high) - integral(b, low)) / (high - low);
  return (10 ** (meanB - meanA) - 1) * 100;
}

// Least-squares polynomial of the given degree: coefficients from x^0 up.
function polyfit(xs, ys, degree) {
  const n = degree + 1;
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, j) =>
    j < n ? xs.reduce((s, x) => s + x ** (i + j), 0) : xs.reduce((s, x, k) => s + ys[k] * x ** i, 0)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
