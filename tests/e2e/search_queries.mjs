// Search quality and the search page, in headless Chromium (issue 12).
// Builds a copy of the sample project (bulletin's own index), serves the
// site under a sub-path (/intranet/bulletin/), and for each query in QUERIES
// expects the given document among the first five results, shown with its
// type and a highlighted excerpt. Then checks the empty page's guidance, a
// filter kept in the URL, the file:// message, a build with nothing on the
// PATH (the index needs no outside tool), and a site whose index is missing
// (the page says so).
//
// Usage: node search_queries.mjs BULLETIN_EXE SOURCE_DIR
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Cdp, connectWebSocket } from './cdp.mjs';

const [exe, sourceDir] = process.argv.slice(2);
if (!exe || !sourceDir) {
  console.error('usage: node search_queries.mjs BULLETIN_EXE SOURCE_DIR');
  process.exit(2);
}

import { QUERIES } from './search_queries_list.mjs';

const artifacts = path.join(sourceDir, 'tests', 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-search-'));
const children = [];
let failures = 0;
const fail = (msg) => { failures++; console.error(`FAIL: ${msg}`); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function copyProject(to) {
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(sourceDir, 'bulletin.yaml'), path.join(to, 'bulletin.yaml'));
  for (const d of ['content', 'data', 'templates']) {
    if (fs.existsSync(path.join(sourceDir, d))) fs.cpSync(path.join(sourceDir, d), path.join(to, d), { recursive: true });
  }
}

function build(project, out, env) {
  const r = spawnSync(exe, ['build', project, '-o', out], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`bulletin build failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

const kTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
                 '.svg': 'image/svg+xml', '.png': 'image/png', '.xml': 'application/xml' };
// Serves `dir` at /intranet/bulletin/ only, as a sub-path on an intranet server.
function serve(dir) {
  const prefix = '/intranet/bulletin/';
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!pathname.startsWith(prefix)) { res.writeHead(404); res.end('not found'); return; }
    let file = path.join(dir, pathname.slice(prefix.length));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'Content-Type': kTypes[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}${prefix}` })));
}

async function main() {
  const withSearch = process.env;
  const project = path.join(work, 'project');
  copyProject(project);
  const site = path.join(work, 'site');
  const log = build(project, site, withSearch);
  if (!/search index: \d+ pages in \d+ shards/.test(log)) throw new Error(`the build did not index for search:\n${log}`);
  console.log(`search: ${log.split('\n').find((l) => l.startsWith('search index'))}`);
  // A rebuild into the same folder (the engine updates it in place) keeps the
  // index without indexing again; the queries below run on the rebuilt site.
  const again = build(project, site, withSearch);
  const againLine = again.split('\n').find((l) => l.startsWith('search index')) || '';
  if (!againLine.endsWith('none changed, nothing re-indexed') || !fs.existsSync(path.join(site, 'search', 'data', 'shards.json')))
    fail(`a rebuild into the same folder lost or re-made the search index:\n${again}`);
  else console.log(`ok   rebuild in place: ${againLine}`);

  // With nothing on the PATH (no Node, no npm package): the index is bulletin's own.
  const bare = path.join(work, 'bare');
  copyProject(bare);
  const bareSite = path.join(work, 'bare-site');
  const bareLog = build(bare, bareSite, { PATH: '/nonexistent' });
  if (!/search index: \d+ pages in \d+ shards; 1 re-indexed/.test(bareLog))
    fail(`a build with nothing on the PATH did not index for search:\n${bareLog}`);
  else console.log('ok   a build with nothing on the PATH indexes for search');

  const { server, base } = await serve(site);
  const { server: bareServer, base: bareBase } = await serve(bareSite);

  const chrome = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--hide-scrollbars',
    `--user-data-dir=${path.join(work, 'chrome')}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(chrome);
  const wsUrl = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${text}`)), 30000);
    chrome.stderr.on('data', (d) => {
      text += d;
      const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  const cdp = new Cdp(await connectWebSocket(wsUrl));
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => cdp.send(method, params, sessionId);
  let problems = [];
  const loadWaiters = [];
  cdp.on((msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params;
    if (msg.method === 'Page.loadEventFired') loadWaiters.splice(0).forEach((r) => r());
    else if (msg.method === 'Runtime.exceptionThrown') problems.push(`uncaught: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
    else if (msg.method === 'Runtime.consoleAPICalled' && p.type === 'error') problems.push(`console.error: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
    else if (msg.method === 'Network.responseReceived' && p.response.status >= 400) problems.push(`HTTP ${p.response.status}: ${p.response.url}`);
  });
  for (const domain of ['Page', 'Runtime', 'Network']) await page(`${domain}.enable`);
  await page('Emulation.setDeviceMetricsOverride', { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });
  const navigate = async (url) => {
    const loaded = new Promise((r) => loadWaiters.push(r));
    const res = await page('Page.navigate', { url });
    if (res.errorText) throw new Error(`${url}: ${res.errorText}`);
    await Promise.race([loaded, sleep(20000)]);
  };
  const evaluate = async (expression) =>
    (await page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })).result.value;
  // Waits until the page shows results or says there are none.
  const results = async () => {
    for (let i = 0; i < 100; i++) {
      const r = await evaluate(`(() => {
        const items = [...document.querySelectorAll('.search-result')].map((li) => ({
          url: decodeURI(new URL(li.querySelector('a').href).pathname),
          type: li.querySelector('.search-result__type')?.textContent ?? '',
          fields: [...li.querySelectorAll('.search-result__field')].map((f) => f.textContent),
          title: li.querySelector('a').textContent,
          excerpt: li.querySelector('.search-result__excerpt')?.textContent ?? '',
          marks: li.querySelectorAll('.search-result__excerpt mark').length }));
        const status = document.getElementById('search-status')?.textContent ?? '';
        return { items, status, problem: document.getElementById('search-missing')?.hidden === false ? document.getElementById('search-missing').textContent : '' };
      })()`);
      if (r && (r.items.length || /没有找到/.test(r.status) || r.problem)) return r;
      await sleep(100);
    }
    return { items: [], status: 'timed out', problem: '' };
  };
  const sitePath = new URL(base).pathname;

  let found = 0;
  for (const [q, want, type] of QUERIES) {
    problems = [];
    await navigate(`${base}search/?q=${encodeURIComponent(q)}`);
    const r = await results();
    const top = r.items.slice(0, 5);
    const at = top.findIndex((i) => i.url === sitePath + encodeURI(want).replace(/%25/g, '%') || i.url === sitePath + want);
    if (at < 0) {
      fail(`'${q}': ${want} is not in the first five results: ${top.map((i) => i.url.slice(sitePath.length)).join(', ') || r.status || r.problem}`);
    } else if (top[at].type !== type) {
      fail(`'${q}': ${want} is shown as '${top[at].type}', not '${type}'`);
    } else if (!top[at].marks || /\d+\.\s*\d+\.\s/.test(top[at].excerpt)) {
      fail(`'${q}': the excerpt of ${want} has no highlighted match or runs table cells together: ${top[at].excerpt}`);
    } else {
      found++;
      console.log(`ok   '${q}': #${at + 1} ${want} [${top[at].type} · ${top[at].fields.join(' · ')}]`);
    }
    for (const p of problems) fail(`'${q}': ${p}`);
  }
  console.log(`search: ${found} of ${QUERIES.length} queries find their document in the first five results`);
  await page('Page.captureScreenshot', { format: 'png' }).then((s) => fs.writeFileSync(path.join(artifacts, 'search-results.png'), Buffer.from(s.data, 'base64')));

  // A notice shows its 发文字号, date and organ.
  await navigate(`${base}search/?q=${encodeURIComponent('校党委发〔2020〕51号')}`);
  const notice = (await results()).items.find((i) => i.url.endsWith(encodeURI('notices/校党委发/2020/51/')) || i.url.endsWith('notices/校党委发/2020/51/'));
  const fields = notice ? notice.fields.join(' · ') : '';
  if (fields !== '校党委发〔2020〕51号 · 2020年9月4日 · 中共上海师范大学委员会') fail(`the notice's result shows '${fields}'`);
  else console.log(`ok   a notice's result shows: ${fields}`);

  // The empty page says what can be searched, with examples.
  problems = [];
  await navigate(`${base}search/`);
  await sleep(500);
  const guide = await evaluate('document.getElementById("search-guide").hidden ? "" : document.getElementById("search-guide").innerText');
  const examples = await evaluate('[...document.querySelectorAll("#search-guide a")].length');
  if (!guide.includes('可以搜索什么') || !guide.includes('发文字号') || examples < 4) fail(`the empty search page gives no guidance: '${guide}'`);
  else console.log(`ok   the empty page says what can be searched, with ${examples} example links`);
  await page('Page.captureScreenshot', { format: 'png' }).then((s) => fs.writeFileSync(path.join(artifacts, 'search-empty.png'), Buffer.from(s.data, 'base64')));
  for (const p of problems) fail(`empty page: ${p}`);

  // A filter narrows the list and stays in the URL; the form can change it.
  await navigate(`${base}search/?q=${encodeURIComponent('学习强国')}&type=${encodeURIComponent('通知')}`);
  const filtered = await results();
  const types = [...new Set(filtered.items.map((i) => i.type))];
  if (!filtered.items.length || types.join() !== '通知') fail(`type=通知 shows types ${types.join(', ')}`);
  else console.log(`ok   ?type=通知 shows only 通知 (${filtered.items.length} results)`);
  await evaluate(`(() => { const s = document.querySelector('select[name=year]'); s.value = '2019年'; s.dispatchEvent(new Event('change')); })()`);
  await sleep(800);
  const after = await evaluate('[location.search, [...document.querySelectorAll(".search-result__field")].map(f => f.textContent).join("|"), [...document.querySelectorAll("select[name=year] option")].map(o => o.value).join("|")]');
  const params = new URLSearchParams(after[0]);
  if (params.get('year') !== '2019年' || params.get('q') !== '学习强国' || /2020年/.test(after[1])) fail(`choosing 2019年 (of ${after[2]}) gives ${after[0]}: ${after[1]}`);
  else console.log(`ok   choosing a year keeps q and the filters in the URL: ${decodeURIComponent(after[0])}`);

  // From file:// the page says search needs the site to be served.
  await navigate(`file://${path.join(site, 'search', 'index.html')}?q=${encodeURIComponent('复旦')}`);
  await sleep(300);
  const local = await evaluate('document.getElementById("search-missing").hidden ? "" : document.getElementById("search-missing").textContent');
  if (!local.includes('搜索需要通过网站服务器打开本站')) fail(`from file:// the search page says '${local}'`);
  else console.log('ok   from file:// the page says search needs the site to be served');

  // The site built with nothing on the PATH searches too.
  problems = [];
  await navigate(`${bareBase}search/?q=${encodeURIComponent('唐桂英')}`);
  const bareResults = await results();
  if (!bareResults.items.some((i) => i.url.endsWith('rankings/whdj-stars/entities/第二党支部/唐桂英/')))
    fail(`the site built with nothing on the PATH does not find 唐桂英: ${bareResults.items.map((i) => i.url).join(', ') || bareResults.status || bareResults.problem}`);
  else console.log('ok   the site built with nothing on the PATH finds 唐桂英');
  for (const p of problems) fail(`bare site: ${p}`);

  // A site whose index is missing (a copy without search/data/) says so instead of failing silently.
  fs.rmSync(path.join(bareSite, 'search', 'data'), { recursive: true, force: true });
  await navigate(`${bareBase}search/?q=${encodeURIComponent('复旦')}`);
  await sleep(500);
  const missing = await evaluate('document.getElementById("search-missing") && !document.getElementById("search-missing").hidden ? document.getElementById("search-missing").textContent : ""');
  if (!missing.includes('搜索索引未能加载')) fail(`the search page of a site without its index says '${missing}'`);
  else console.log(`ok   a site without its index says: ${missing}`);

  await cdp.send('Browser.close').catch(() => {});
  server.close();
  bareServer.close();
}

main()
  .catch((e) => fail(e.stack || String(e)))
  .finally(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(200);
    try { fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 }); } catch {}
    console.log(failures ? `search: ${failures} failures` : 'search: OK');
    process.exit(failures ? 1 : 0);
  });
