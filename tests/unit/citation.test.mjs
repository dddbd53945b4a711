// How to cite the lab and the paper, and under which licences, said in files that cannot drift from
// the engine: CITATION.cff's version is Cargo.toml's, its reference to the SLaM paper names the
// authors, title and venue the engine's own `source` of `slam` gives (the page's "about", the
// README's table), and the licences Cargo.toml declares are the files in the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f) => fs.readFileSync(path.join(ROOT, f), 'utf8');

test('CITATION.cff cites the lab at its version and the SLaM paper as the engine does; the licences are there', () => {
  const cff = read('CITATION.cff');
  const cargo = read('Cargo.toml');
  const version = cargo.match(/^version = "([^"]+)"/m)[1];
  assert.match(cff, /^cff-version: 1\.2\.0$/m);
  assert.equal(cff.match(/^version: (\S+)$/m)?.[1], version, 'the lab at the crate\'s version');

  // The engine's source of SLaM: "Kontonis, Iliopoulos, ..., SLaM: ..., NeurIPS 2023 (arXiv 2302.03806)".
  const schema = JSON.parse(read('www/pkg/schema.json'));
  const source = schema.methods.find((m) => m.name === 'slam').source;
  const paper = cff.slice(cff.indexOf('references:'));
  const families = [...paper.matchAll(/family-names: (.+)$/gm)].map((m) => m[1].trim());
  assert.ok(families.length >= 2, 'the paper\'s authors');
  assert.ok(source.startsWith(`${families.join(', ')}, `), `authors in order: ${families} / ${source}`);
  const title = paper.match(/^\s+title: "(.+)"$/m)[1];
  assert.ok(source.includes(title), `title: ${title} / ${source}`);
  const arxiv = paper.match(/arXiv:(\d{4}\.\d{5})/)[1];
  assert.ok(source.includes(`arXiv ${arxiv}`), `arXiv ${arxiv} / ${source}`);
  assert.ok(/NeurIPS 2023/.test(source) && /NeurIPS 2023/.test(paper) && /year: 2023/.test(paper));

  // Cargo.toml's "MIT OR Apache-2.0": both licences, in the citation and as files.
  const licence = cargo.match(/^license = "([^"]+)"/m)[1];
  assert.equal(licence, 'MIT OR Apache-2.0');
  const listed = [...cff.slice(cff.indexOf('license:'), cff.indexOf('keywords:')).matchAll(/^\s+- (\S+)$/gm)].map((m) => m[1]);
  assert.deepEqual(listed, licence.split(' OR '));
  assert.match(read('LICENSE-MIT'), /^MIT License\n\nCopyright \(c\) \d{4} /);
  assert.match(read('LICENSE-MIT'), /THE SOFTWARE IS PROVIDED "AS IS"/);
  assert.match(read('LICENSE-APACHE'), /Apache License\s+Version 2\.0, January 2004/);
  assert.match(read('LICENSE-APACHE'), /END OF TERMS AND CONDITIONS/);

  // The README says how to cite, and under which licences.
  const readme = read('README.md');
  const cite = readme.slice(readme.indexOf('## Cite'));
  assert.ok(readme.includes('## Cite'), 'a Cite section');
  assert.match(cite, /CITATION\.cff/);
  assert.ok(cite.includes(title), 'the paper\'s title');
  assert.match(cite, /LICENSE-MIT/);
  assert.match(cite, /LICENSE-APACHE/);
});
