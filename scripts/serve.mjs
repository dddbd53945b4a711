#!/usr/bin/env node
// Static server for the SLaM Lab page: serves www/ on 127.0.0.1 only, no dependencies.
//
//   node scripts/serve.mjs            # PORT env or 8080; if busy, the next free port
//   import { startServer } from './scripts/serve.mjs'; await startServer({ port: 0 })
//
// Every response carries the page's Content-Security-Policy (the same one index.html has as a <meta>)
// and `Cache-Control: no-store`, so a rebuilt www/pkg is always picked up. Text and the .wasm go out
// gzipped to a browser that accepts it, as any static host would send them (a classroom's link is
// slow): compressed once per file version and kept in memory.
import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ROOT = path.resolve(HERE, '..', 'www');
export const HOST = '127.0.0.1';

// No 'unsafe-eval', no 'unsafe-inline'; 'wasm-unsafe-eval' only, for WebAssembly.instantiate.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Types worth compressing: text and the .wasm (images and .gz files are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.csv', '.txt', '.md', '.wasm', '.svg']);
/** Gzipped bodies by file: {key: `${mtimeMs}:${size}`, body}. */
const gzipped = new Map();

function gzipOf(file, st) {
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = gzipped.get(file);
  if (hit?.key === key) return hit.body;
  const body = zlib.gzipSync(fs.readFileSync(file), { level: 9 });
  gzipped.set(file, { key, body });
  return body;
}

function mimeFor(file) {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function baseHeaders(extra = {}) {
  return {
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...extra,
  };
}

function sendText(res, status, text, head = false) {
  const body = Buffer.from(text + '\n', 'utf8');
  res.writeHead(status, baseHeaders({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length }));
  res.end(head ? undefined : body);
}

/** Maps a request path to a file inside root, or null when it would leave root or is malformed. */
export function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

function handler(root) {
  return (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed', head);
    }
    let pathname;
    try {
      pathname = new URL(req.url, 'http://localhost').pathname;
    } catch {
      return sendText(res, 400, 'bad request', head);
    }
    let file = resolveInside(root, pathname);
    if (file === null) return sendText(res, 403, 'forbidden', head);
    const gz = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, baseHeaders({ Location: pathname + '/' }));
          return res.end();
        }
        file = path.join(file, 'index.html');
        return fs.stat(file, (err2, st2) => serveFile(root, res, file, err2, st2, head, gz));
      }
      serveFile(root, res, file, err, st, head, gz);
    });
  };
}

function serveFile(root, res, file, err, st, head, acceptsGzip = false) {
  if (err || !st.isFile()) return sendText(res, 404, 'not found', head);
  // A symlink inside www/ must not lead outside it either.
  fs.realpath(file, (rerr, real) => {
    if (rerr) return sendText(res, 404, 'not found', head);
    if (!real.startsWith(root + path.sep)) return sendText(res, 403, 'forbidden', head);
    if (acceptsGzip && COMPRESSIBLE.has(path.extname(real).toLowerCase())) {
      let body;
      try {
        body = gzipOf(real, st);
      } catch {
        return sendText(res, 404, 'not found', head);
      }
      res.writeHead(200, baseHeaders({ 'Content-Type': mimeFor(real), 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': body.length }));
      return res.end(head ? undefined : body);
    }
    res.writeHead(200, baseHeaders({ 'Content-Type': mimeFor(real), 'Content-Length': st.size }));
    if (head) return res.end();
    const stream = fs.createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}

function listenOnce(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (e) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}

/**
 * Starts the server on 127.0.0.1. `port: 0` picks any free port; otherwise, when the port is busy,
 * the next ones are tried (up to `tries` ports). Resolves to { server, port, url, close() }.
 */
export async function startServer({ port = 0, root = DEFAULT_ROOT, tries = 20 } = {}) {
  const absRoot = fs.realpathSync(path.resolve(root));
  const server = http.createServer(handler(absRoot));
  let lastError;
  const attempts = port === 0 ? 1 : tries;
  for (let i = 0; i < attempts; i++) {
    try {
      const bound = await listenOnce(server, port === 0 ? 0 : port + i);
      const url = `http://${HOST}:${bound}/`;
      return {
        server,
        port: bound,
        url,
        close: () => new Promise((resolve) => {
          server.closeAllConnections?.();
          server.close(() => resolve());
        }),
      };
    } catch (e) {
      lastError = e;
      if (e.code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no free port in ${port}..${port + attempts - 1}: ${lastError?.message}`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const port = process.env.PORT ? Number.parseInt(process.env.PORT, 10) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(DEFAULT_ROOT, 'pkg', 'slam_lab.js'))) {
    console.warn('note: www/pkg is missing: build it with `npm start` (or scripts/build.sh)');
  }
  const { url, close } = await startServer({ port });
  console.log(`SLaM Lab: ${url}`);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
