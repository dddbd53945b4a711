// Writes www/pkg/schema.json (or PKG/schema.json: `node scripts/write-schema.mjs [PKG]`): the engine's schema (every config key with its name, help, limits and
// choices; every method's facts; the requirements), read from the freshly built .wasm, so the page
// labels its controls at first paint instead of after the engine has loaded. The worker sends the
// same schema when the engine is up; tests/unit/schema-file.test.mjs checks the two agree.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The package directory: www/pkg, or another build's (scripts/build-toy.sh).
const pkg = path.resolve(process.argv[2] ?? path.join(ROOT, 'www', 'pkg'));
const { default: init, schema } = await import(path.join(pkg, 'slam_lab.js'));
await init({ module_or_path: fs.readFileSync(path.join(pkg, 'slam_lab_bg.wasm')) });
const text = `${JSON.stringify(schema())}\n`;
const file = path.join(pkg, 'schema.json');
if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
console.log(`[build] ${path.relative(ROOT, file)}: ${text.length} bytes`);
