// Writes ROOT/offline-files.json (ROOT: www, or a copy of it): the page's own files and their sizes,
// for the service worker to keep (sw.js) and the loading bar. Everything the page and its workers
// load: not the benchmark page, not the data (kept when a learner opens it), not type declarations.
//   node scripts/write-offline-files.mjs [ROOT]
import fs from 'node:fs';
import path from 'node:path';

const root = process.argv[2] ?? 'www';
const out = [];
const skip = (rel) => /^(bench|data)\//.test(rel) || /\.(d\.ts|md)$/.test(rel)
  || ['sw.js', 'offline-files.json', 'pkg/package.json', 'pkg/.gitignore'].includes(rel);
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (e.isDirectory()) walk(full);
    else if (!skip(rel)) out.push([rel === 'index.html' ? './' : `./${rel}`, fs.statSync(full).size]);
  }
})(root);
out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
// Sizes too: a server that compresses does not say how large the file is, and the loading bar
// counts the bytes of the total.
const text = JSON.stringify({ files: Object.fromEntries(out) }, null, 1) + '\n';
const file = path.join(root, 'offline-files.json');
if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
console.log(`[build] ${file}: ${out.length} files kept for offline use`);
