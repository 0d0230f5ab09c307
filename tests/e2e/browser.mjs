// Browser tests in headless Chromium over the Chrome DevTools Protocol, with
// Node's standard library only (Node 20 has no WebSocket global, so a small
// client is below). Serves a copy of the sample project with `bulletin serve`,
// loads the home page, an issue, a notice, and (when built) a ranking page and
// the search page; each must show its Chinese text without console errors or
// failed requests. Screenshots and A4 PDFs go to tests/artifacts/. Then breaks
// an article's front matter and expects the serve error overlay, fixes it and
// expects the page back.
//
// Usage: node browser.mjs BULLETIN_EXE SOURCE_DIR
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { Cdp, connectWebSocket } from './cdp.mjs';

const [exe, sourceDir] = process.argv.slice(2);
if (!exe || !sourceDir) {
  console.error('usage: node browser.mjs BULLETIN_EXE SOURCE_DIR');
  process.exit(2);
}
const artifacts = path.join(sourceDir, 'tests', 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-browser-'));
const children = [];
let failures = 0;
const fail = (msg) => { failures++; console.error(`FAIL: ${msg}`); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Stops chromium and bulletin serve, waits for them, then removes the work folder.
async function cleanup() {
  await Promise.all(children.map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.on('exit', resolve);
    c.kill('SIGTERM');
    setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 5000);
  })));
  try { fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 }); } catch {}
}

// Resolves with the first match of `re` on the child's stdout or stderr.
function waitForOutput(child, re, what, ms = 30000) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}:\n${text}`)), ms);
    const on = (d) => {
      text += d;
      const m = text.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what}: process exited (${code}):\n${text}`)); });
  });
}

async function main() {
  const fonts = await new Promise((resolve) => {
    const p = spawn('fc-list', [':lang=zh', 'family']);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', () => resolve(''));
    p.on('exit', () => resolve(out));
  });
  if (!fonts.trim()) throw new Error('no CJK font is installed (apt-get install fonts-wqy-microhei)');

  // A copy of the sample project, served by `bulletin serve` on a free port.
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.copyFileSync(path.join(sourceDir, 'bulletin.yaml'), path.join(project, 'bulletin.yaml'));
  for (const d of ['content', 'data', 'templates', 'archive']) {
    if (fs.existsSync(path.join(sourceDir, d))) fs.cpSync(path.join(sourceDir, d), path.join(project, d), { recursive: true });
  }
  const serve = spawn(exe, ['serve', project, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(serve);
  let serveLog = '';
  serve.stdout.on('data', (d) => (serveLog += d));
  serve.stderr.on('data', (d) => (serveLog += d));
  const [, origin] = await waitForOutput(serve, /at (http:\/\/127\.0\.0\.1:\d+)\//, 'bulletin serve', 120000);
  console.log(`browser: serving the sample project at ${origin}/`);

  const chrome = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage', '--hide-scrollbars',
    '--font-render-hinting=none', `--user-data-dir=${path.join(work, 'chrome')}`, '--remote-debugging-port=0',
    'about:blank',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(chrome);
  const [, wsUrl] = await waitForOutput(chrome, /DevTools listening on (ws:\/\/\S+)/, 'chromium');
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
    else if (msg.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
      problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
    else if (msg.method === 'Runtime.exceptionThrown')
      problems.push(`uncaught: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
    else if (msg.method === 'Log.entryAdded' && p.entry.level === 'error')
      problems.push(`log: ${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ''}`);
    else if (msg.method === 'Network.loadingFailed' && !p.canceled)
      problems.push(`request failed: ${p.errorText} (${p.type})`);
    else if (msg.method === 'Network.responseReceived' && p.response.status >= 400)
      problems.push(`HTTP ${p.response.status}: ${p.response.url}`);
  });
  for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await page(`${domain}.enable`);
  await page('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });

  const navigate = async (url) => {
    const loaded = new Promise((r) => loadWaiters.push(r));
    const res = await page('Page.navigate', { url });
    if (res.errorText) throw new Error(`${url}: ${res.errorText}`);
    await Promise.race([loaded, sleep(20000)]);
    await sleep(300);  // late requests (fonts, the event stream)
  };
  const evaluate = async (expression) =>
    (await page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })).result.value;
  const exists = async (url) => new Promise((resolve) => {
    http.get(url, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
  });

  const cases = [
    { name: 'home', url: '', expect: '学习强国工作简报', required: true },
    { name: 'issue', url: 'bulletins/jiaowei/2020/6/', expect: '学习平台建设情况', required: true, pdf: true },
    { name: 'notice', url: 'notices/校党委发/2020/51/', expect: '上海师范大学', required: true, pdf: true },
    { name: 'ranking', url: 'rankings/xxqg-units/2020-11/', expect: '日人均参与度', required: false },
    { name: 'search', url: 'search/', expect: '搜索', required: false },
  ];
  for (const c of cases) {
    const url = `${origin}/${encodeURI(c.url)}`;
    if (!c.required && !(await exists(url))) {
      console.log(`SKIP ${c.name}: ${c.url} is not in the build`);
      continue;
    }
    problems = [];
    await navigate(url);
    const text = (await evaluate('document.body ? document.body.innerText : ""')) ?? '';
    const ok = text.includes(c.expect);
    if (!ok) fail(`${c.name} (${c.url || '/'}) does not show '${c.expect}'; it shows: ${text.slice(0, 200)}`);
    for (const p of problems) fail(`${c.name} (${c.url || '/'}): ${p}`);
    const metrics = await page('Page.getLayoutMetrics');
    const size = metrics.cssContentSize || metrics.contentSize;
    const shot = await page('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: Math.ceil(size.width), height: Math.min(Math.ceil(size.height), 12000), scale: 1 },
    });
    fs.writeFileSync(path.join(artifacts, `${c.name}.png`), Buffer.from(shot.data, 'base64'));
    if (c.pdf) {
      const pdf = await page('Page.printToPDF', {
        paperWidth: 8.27, paperHeight: 11.69, printBackground: true, preferCSSPageSize: true,
      });
      fs.writeFileSync(path.join(artifacts, `${c.name}.pdf`), Buffer.from(pdf.data, 'base64'));
    }
    console.log(`${ok && !problems.length ? 'ok  ' : 'FAIL'} ${c.name}: ${c.url || '/'} (artifacts/${c.name}.png${c.pdf ? `, ${c.name}.pdf` : ''})`);
  }

  // Chinese full-text search (issue 5): a unit name inside a ranking table and
  // a phrase from seed 003's attachment page find their pages.
  if (await exists(`${origin}/search/data/shards.json`)) {
    const searches = [
      { q: '中共复旦大学委员会', want: '/rankings/xxqg-units/2020-11/' },
      { q: '益阳医学高等专科学校', want: '/notices/2019/2019-hnjw-xxqg/attachment-1/' },
    ];
    for (const s of searches) {
      problems = [];
      await navigate(`${origin}/search/?q=${encodeURIComponent(s.q)}`);
      let links = [];
      for (let i = 0; i < 50 && !links.length; i++) {
        await sleep(200);
        links = (await evaluate('[...document.querySelectorAll(".search-result__link")].map(a => decodeURI(new URL(a.href).pathname))')) ?? [];
      }
      const marked = (await evaluate('document.querySelectorAll(".search-result__excerpt mark").length')) ?? 0;
      if (!links.includes(s.want)) fail(`search '${s.q}' does not find ${s.want}; it finds: ${links.slice(0, 5).join(', ')}`);
      else if (!marked) fail(`search '${s.q}' shows no highlighted match`);
      else console.log(`ok   search '${s.q}': ${s.want} among ${links.length} results, matches highlighted`);
      for (const p of problems) fail(`search '${s.q}': ${p}`);
      await page('Page.captureScreenshot', { format: 'png' }).then((shot) =>
        fs.writeFileSync(path.join(artifacts, `search-${searches.indexOf(s) + 1}.png`), Buffer.from(shot.data, 'base64')));
    }
  } else {
    console.log('SKIP search results: the site has no search index');
  }

  // Live preview: a broken front matter shows an overlay, fixing it brings the page back.
  const article = path.join(project, 'content', 'articles', 'sues-four-forces.md');
  const original = fs.readFileSync(article, 'utf8');
  await navigate(`${origin}/articles/sues-four-forces/`);
  const build = await evaluate('fetch("/__bulletin/status").then(r => r.json()).then(s => s.build)');
  fs.writeFileSync(article, original.replace(/^title: .*$/m, 'title: [未闭合'));
  let overlay = '';
  for (let i = 0; i < 100 && !overlay; i++) {
    await sleep(200);
    overlay = (await evaluate('(document.getElementById("bulletin-serve-error") || {}).textContent || ""')) ?? '';
  }
  if (!overlay.includes('content/articles/sues-four-forces.md:3:5: error: invalid YAML')) fail(`no error overlay after breaking the front matter: '${overlay}'\n${serveLog}`);
  else console.log('ok   serve: the error overlay shows content/articles/sues-four-forces.md:3:5: error: invalid YAML…');
  await page('Page.captureScreenshot', { format: 'png' }).then((s) =>
    fs.writeFileSync(path.join(artifacts, 'serve-error-overlay.png'), Buffer.from(s.data, 'base64')));
  const reloaded = new Promise((r) => loadWaiters.push(r));
  fs.writeFileSync(article, original.replace(/^title: .*$/m, 'title: "修改后的标题"'));
  await Promise.race([reloaded, sleep(20000)]);
  await sleep(300);
  const after = (await evaluate('document.title + "|" + !!document.getElementById("bulletin-serve-error")')) ?? '';
  const newBuild = await evaluate('fetch("/__bulletin/status").then(r => r.json()).then(s => s.build)');
  if (!after.startsWith('修改后的标题') || after.endsWith('true') || !(newBuild > build))
    fail(`the page did not come back after the fix: '${after}', build ${build} -> ${newBuild}`);
  else console.log('ok   serve: fixing the file reloads the page with the new title');

  await cdp.send('Browser.close').catch(() => {});
}

main()
  .catch((e) => fail(e.stack || String(e)))
  .finally(async () => {
    console.log(failures ? `browser: ${failures} failures` : 'browser: OK');
    await cleanup();
    process.exit(failures ? 1 : 0);
  });
