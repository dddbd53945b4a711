// The static server the page is served by (scripts/serve.mjs): headers, MIME types, and no way out of www/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { useBrowser, pageUrl, ROOT } from './helpers.mjs';

const env = useBrowser();

test('the server sends the CSP, no-store and the wasm MIME type, and stays inside www/', async () => {
  const res = await fetch(pageUrl());
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(meta, 'index.html has a CSP <meta>');
  assert.equal(meta[1], csp, 'the <meta> CSP and the header CSP are the same');

  const wasm = await fetch(new URL('pkg/slam_lab_bg.wasm', pageUrl()));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const js = await fetch(new URL('worker.js', pageUrl()));
  assert.match(js.headers.get('content-type'), /^text\/javascript/);

  // Raw paths (fetch would normalise them): none may reach a file outside www/.
  for (const p of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/Cargo.toml', '/pkg/../../package.json']) {
    const status = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: env.server.port, path: p }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on('error', reject);
    });
    assert.ok(status === 403 || status === 404, `${p} gave ${status}`);
  }
});

/** GET `p` with `headers` as a raw HTTP client: {status, headers, body: Buffer} (nothing decoded). */
function rawGet(p, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: env.server.port, path: p, headers }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('text and the .wasm go out gzipped to a client that accepts it, the same bytes once unpacked', async () => {
  for (const p of ['pkg/slam_lab_bg.wasm', 'worker.js', 'style.css', 'data/digits.csv']) {
    const file = fs.readFileSync(path.join(ROOT, 'www', p));
    const gz = await rawGet(`/${p}`, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip', p);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.ok(gz.body.length < file.length, `${p}: ${gz.body.length} of ${file.length} bytes`);
    assert.ok(zlib.gunzipSync(gz.body).equals(file), `${p} unpacks to the file`);
    const plain = await rawGet(`/${p}`);
    assert.equal(plain.headers['content-encoding'], undefined, 'a client that does not ask gets the file');
    assert.ok(plain.body.equals(file));
  }
  // A file that is compressed already is sent as it is.
  const mnist = await rawGet('/data/mnist.bin.gz', { 'accept-encoding': 'gzip' });
  assert.equal(mnist.headers['content-encoding'], undefined);
  assert.ok(mnist.body.equals(fs.readFileSync(path.join(ROOT, 'www', 'data', 'mnist.bin.gz'))));
});
