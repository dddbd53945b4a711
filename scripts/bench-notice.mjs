// How long the page takes to notice its engine worker was killed inside each long engine call (a
// benchmark, not a test): node scripts/bench-notice.mjs [--reps N]
// Serves www/ itself, opens headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium), starts each
// long call, terminates the engine worker from the page at the given moment, and prints as JSON the
// seconds from the kill to the page's "The engine stopped answering" (median of N, default 3).
//   csv-20mb      reading a 20,000,000-byte upload (the worker is killed 0.5 s into the build)
//   explain-1024x3  taking one step of a 1024-1024-1024 student apart (killed after 150 ms)
//   play-1024x8   a minibatch of a 1024 x 8 student while playing (killed 2 s after Play)
//   build-200k    preparing 200,000 points with a trained teacher's labels (killed 1 s into the build)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const args = process.argv.slice(2);
const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 3;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-notice-'));
const csv = path.join(dir, 'big.csv');
{
  const buf = Buffer.alloc(20_000_000, '0.123456,0.654321,1\n0.923456,0.154321,0\n');
  buf.write('a,b,label\n', 0);
  const last = buf.lastIndexOf('\n', buf.length - 1);
  buf.fill(' ', last + 1);
  buf[buf.length - 1] = 10;
  fs.writeFileSync(csv, buf);
}

const server = await startServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const ready = (page) => page.waitForFunction(() => ['ready', 'paused', 'finished'].includes(document.querySelector('[data-testid=status]')?.dataset.state), null, { timeout: 300_000, polling: 50 });

const CASES = {
  'csv-20mb': {
    query: '?student.epochs=2',
    async start(page) {
      await page.getByTestId('csv-upload').setInputFiles(csv);
      await page.waitForFunction(() => document.querySelector('[data-testid=status]').dataset.state === 'building');
      await page.waitForTimeout(500);
    },
  },
  'explain-1024x3': {
    query: '?student.hidden=1024,1024,1024&student.epochs=3',
    async start(page) {
      await page.getByTestId('slowmo').click();
      await page.waitForTimeout(150);
    },
  },
  'play-1024x8': {
    query: '?student.hidden=1024,1024,1024,1024,1024,1024,1024,1024',
    async start(page) {
      await page.getByTestId('play').click();
      await page.waitForTimeout(2000);
    },
  },
  'build-200k': {
    query: '?student.epochs=2',
    async start(page) {
      await page.getByTestId('scenario-select').selectOption('trained-spirals');
      await page.evaluate(() => {
        const { app } = slamLab;
        app.setState({ ...app.state, over: { ...app.state.over, samples: 200000 } });
      });
      await page.waitForFunction(() => document.querySelector('[data-testid=status]').dataset.state === 'building');
      await page.waitForTimeout(1000);
    },
  },
};

const out = {};
for (const [name, c] of Object.entries(CASES)) {
  const times = [];
  for (let r = 0; r < reps; r++) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(server.url + c.query);
    await ready(page);
    await c.start(page);
    const t0 = Date.now();
    await page.evaluate(() => slamLab.app.engine.worker.terminate());
    await page.waitForFunction(() => /stopped answering/.test(document.querySelector('[data-testid=error]')?.textContent ?? ''), null, { timeout: 300_000, polling: 20 });
    times.push((Date.now() - t0) / 1000);
    await context.close();
  }
  times.sort((a, b) => a - b);
  out[name] = { median_s: times[Math.floor(times.length / 2)], runs_s: times };
  console.error(`${name}: ${times.map((t) => t.toFixed(2)).join(', ')} s`);
}
console.log(JSON.stringify(out, null, 2));
await browser.close();
await server.close();
fs.rmSync(dir, { recursive: true, force: true });
