// The search page's engine (templates/assets/search.js, no DOM) run in Node
// against a built site's index: each query of search_queries_list.mjs must
// find its document in the first five results, with a marked excerpt; the
// filters and the date order must hold. Fast enough to run on every change;
// search_queries.mjs checks the same in Chromium.
//
// Usage: node search_engine.mjs BULLETIN_EXE SOURCE_DIR   (builds the sample project)
//        node search_engine.mjs --site SITE_DIR SOURCE_DIR (an already built site)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { QUERIES } from './search_queries_list.mjs';

const [first, sourceDir] = process.argv.slice(2).filter((a) => a !== '--site');
const prebuilt = process.argv.includes('--site');
if (!first || !sourceDir) {
  console.error('usage: node search_engine.mjs BULLETIN_EXE SOURCE_DIR | --site SITE_DIR SOURCE_DIR');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { createEngine, excerpt } = require(path.resolve(sourceDir, 'templates', 'assets', 'search.js'));

let work = null;
let site = first;
if (!prebuilt) {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-search-engine-'));
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.copyFileSync(path.join(sourceDir, 'bulletin.yaml'), path.join(project, 'bulletin.yaml'));
  for (const d of ['content', 'data', 'templates'])
    if (fs.existsSync(path.join(sourceDir, d))) fs.cpSync(path.join(sourceDir, d), path.join(project, d), { recursive: true });
  site = path.join(work, 'site');
  // No PATH: the index needs no tool outside bulletin (PDFs and fonts are skipped).
  const r = spawnSync(first, ['build', project, '-o', site], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
  if (r.status !== 0) { console.error(`bulletin build failed:\n${r.stdout}${r.stderr}`); process.exit(1); }
  const line = (r.stdout + r.stderr).split('\n').find((l) => l.startsWith('search index')) || '';
  if (!/^search index: \d+ pages in \d+ shards; 1 re-indexed/.test(line)) {
    console.error(`FAIL: the build without any tool on the PATH did not index for search:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  console.log(line);
}
const data = path.join(site, 'search', 'data');
const engine = createEngine((rel) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(data, rel), 'utf8'))));

let failures = 0;
const fail = (m) => { failures++; console.error(`FAIL: ${m}`); };
let found = 0;
for (const [q, want, type] of QUERIES) {
  const r = await engine.search(q, {}, '');
  const top = await Promise.all(r.list.slice(0, 5).map((c) => engine.fragment(c.s, c.d)));
  const at = top.findIndex((f) => f.url === want);
  if (at < 0) { fail(`'${q}': ${want} not in the first five: ${top.map((f) => f.url).join(', ')}`); continue; }
  const ex = excerpt(top[at], r.units, 0, q);
  if (top[at].type !== type) fail(`'${q}': ${want} has type ${top[at].type}, not ${type}`);
  else if (!ex.parts.some((p) => p[1])) fail(`'${q}': the excerpt of ${want} marks nothing`);
  else { found++; console.log(`ok   '${q}': #${at + 1} ${want}  …${ex.parts.map((p) => (p[1] ? `[${p[0]}]` : p[0])).join('').slice(0, 60)}…`); }
}
console.log(`engine: ${found} of ${QUERIES.length} queries find their document in the first five results`);

// A filter keeps only its type; a year filter only that year; counts match.
const all = await engine.search('学习强国', {}, '');
const notices = await engine.search('学习强国', { type: '通知' }, '');
const types = new Set(await Promise.all(notices.list.map((c) => engine.fragment(c.s, c.d).then((f) => f.type))));
if (!notices.list.length || [...types].join() !== '通知') fail(`type=通知 gives types ${[...types].join(', ')}`);
else if (all.counts.type['通知'] !== notices.list.length) fail(`the 通知 count ${all.counts.type['通知']} is not the ${notices.list.length} filtered results`);
else console.log(`ok   type=通知: ${notices.list.length} results, as its count says`);
const y2019 = await engine.search('学习强国', { year: '2019年' }, 'date');
const dates = await Promise.all(y2019.list.map((c) => engine.fragment(c.s, c.d).then((f) => f.date)));
if (!dates.length || dates.some((d) => !d.startsWith('2019年'))) fail(`year=2019年 gives dates ${dates.join(', ')}`);
else console.log(`ok   year=2019年: ${dates.length} results, all of 2019`);
// No words, a filter only: every document of that organ, newest first.
const organ = '中共上海师范大学委员会';
const byOrgan = await engine.search('', { organ }, '');
const organs = await Promise.all(byOrgan.list.map((c) => engine.fragment(c.s, c.d)));
if (!organs.length || organs.some((f) => f.organ !== organ)) fail(`organ filter alone gives ${organs.map((f) => f.organ).join(', ')}`);
else console.log(`ok   organ=${organ} alone: ${organs.length} documents`);
// A word found nowhere finds nothing.
const none = await engine.search('量子引力波', {}, '');
if (none.list.length) fail(`'量子引力波' finds ${none.list.length} results`);
else console.log("ok   '量子引力波' finds nothing");

if (work) fs.rmSync(work, { recursive: true, force: true });
console.log(failures ? `engine: ${failures} failures` : 'engine: OK');
process.exit(failures ? 1 : 0);
