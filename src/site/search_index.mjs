// Writes the Pagefind bundles of the search shards that changed, from text
// records (Pagefind's Node API: createIndex, addCustomRecord, writeFiles), in
// one Node process per build. bulletin embeds this script and runs it as
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

async function indexShard(pagefind, shard) {
  const { out, primary, records: items } = JSON.parse(shard.line);
  const { errors, index } = await pagefind.createIndex({ forceLanguage: 'zh-cn' });
  if (!index) throw new Error(`createIndex: ${errors.join('; ')}`);
  const added = await Promise.all(items.map((r) => index.addCustomRecord({
    url: r.url,
    content: r.content,
    language: 'zh-cn',
    meta: r.meta,
    filters: r.filters,
    sort: r.sort,
  })));
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
