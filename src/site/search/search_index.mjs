// Writes the Pagefind bundles of the search shards that changed, from the
// build's text records, through Pagefind's Node API (createIndex, addHTMLFile,
// writeFiles), in one Node process per build. Each record becomes a small
// HTML page (never read from or written to disk): addCustomRecord indexes no
// faster (bench/README.md) and cannot weigh a title above the body, which
// search quality needs. bulletin embeds this script and runs it as
//   node --input-type=module -e SCRIPT JOB
// JOB is JSON Lines: a header {"pagefind": ".../pagefind/lib/index.js"}, then
// one shard a line {"out": folder, "primary": bool, "records": [...]}.
// Output (stdout and stderr, Pagefind's included) goes to a pipe that bulletin
// shows only when indexing fails; the last line says what was indexed.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [jobPath] = process.argv.slice(1);
const lines = fs.readFileSync(jobPath, 'utf8').split('\n').filter((l) => l.length);
const header = JSON.parse(lines.shift());
const moduleUrl = pathToFileURL(header.pagefind).href;

// Pagefind's Node API drives one backend process per module instance and that
// backend indexes on one core: two instances (the module loaded under two
// URLs) index two shards at a time on a 2-core machine.
const BACKENDS = Math.max(1, Math.min(Number(header.backends) || 2, lines.length));
const backends = [];
for (let i = 0; i < BACKENDS; i++) backends.push(await import(`${moduleUrl}?backend=${i}`));

// Only the primary bundle's loader, wasm and UI files are fetched by browsers;
// merged shards need their index data only.
const kShardFiles = /^(pagefind-entry\.json|.*\.pf_meta|index|fragment|filter)$/;

// Biggest shards first, so both backends finish at about the same time.
const shards = lines.map((line, i) => ({ line, size: line.length, i })).sort((a, b) => b.size - a.size || a.i - b.i);
let records = 0;
const failures = [];

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// The record as Pagefind sees it: title (weighted like a heading), number and
// organ, the body a paragraph a line; type, number, date and organ as meta,
// type, year and organ as filters, the date as the sort key.
function page(r) {
  const meta = [['type', r.type], ['number', r.number], ['date', r.date], ['organ', r.organ]]
    .filter(([, v]) => v).map(([k, v]) => `<span data-pagefind-meta="${k}">${escape(v)}</span>`);
  const filters = [['type', r.type], ['year', r.year && `${r.year}年`], ['organ', r.organ]]
    .filter(([, v]) => v).map(([k, v]) => `<span data-pagefind-filter="${k}">${escape(v)}</span>`);
  const head = [r.number, r.organ].filter(Boolean).map(escape).join('　');
  const body = String(r.text || '').split('\n').map((l) => `<p>${escape(l)}</p>`).join('');
  return `<html lang="zh-cn"><body><main data-pagefind-body><h1 data-pagefind-meta="title">${escape(r.title)}</h1>` +
    (head ? `<p data-pagefind-weight="10">${head}</p>` : '') + body + `<p>${escape(r.type)}</p>` +
    `<div data-pagefind-ignore>${meta.join('')}${filters.join('')}<span data-pagefind-sort="date">${escape(r.sort || '')}</span></div>` +
    '</main></body></html>';
}

async function indexShard(pagefind, shard) {
  const { out, primary, records: items } = JSON.parse(shard.line);
  const { errors, index } = await pagefind.createIndex({ forceLanguage: 'zh-cn' });
  if (!index) throw new Error(`createIndex: ${errors.join('; ')}`);
  const added = await Promise.all(items.map((r) => index.addHTMLFile({ url: r.url, content: page(r) })));
  for (const a of added) if (a.errors.length) throw new Error(`${out}: ${a.errors.join('; ')}`);
  const written = await index.writeFiles({ outputPath: out });
  if (written.errors.length) throw new Error(`${out}: ${written.errors.join('; ')}`);
  await index.deleteIndex();
  if (!primary) {
    for (const name of fs.readdirSync(out)) {
      if (!kShardFiles.test(name)) fs.rmSync(path.join(out, name), { recursive: true, force: true });
    }
  }
  records += items.length;
}

async function worker(pagefind) {
  for (let shard; (shard = shards.shift());) {
    try {
      await indexShard(pagefind, shard);
    } catch (e) {
      failures.push(String(e && e.message ? e.message : e));
      shards.length = 0;
    }
  }
}

await Promise.all(backends.map(worker));
await Promise.all(backends.map((b) => b.close()));
if (failures.length) {
  console.error(`pagefind: ${failures.join('\n')}`);
  process.exit(1);
}
console.log(`indexed ${records} records in ${lines.length} shards`);
