// The search page over bulletin's own index (docs/search.md). The build
// writes search/data/shards.json (the shards and their statistics) and, per
// shard, docs.json (each document's URL, type, year, organ, length and date),
// b/<k>.json (term buckets: postings of CJK bigrams and words) and f/<i>.json
// (a document's fragment). A query reads the manifest and the docs tables
// once, then only the buckets its terms hash to, and the fragments of the
// results it shows. Ranking is BM25 over all shards at once (their document
// counts and lengths are summed), titles and numbers weighted above the body
// by the index; among the first results, a document holding the whole query
// in its title, number, organ or text comes first. The query and filters live
// in the URL (search/?q=复旦&type=通知). Every URL is relative to the site
// root, found from this page's address, so the site works under any sub-path.
//
// The engine below has no DOM: tests/e2e/search_engine.mjs runs it in Node
// against a built site.
(function () {
  'use strict';

  // ---- Terms: the same cut as src/site/search/search_index.cc. ----
  function isCjk(c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
      (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0x3040 && c <= 0x30FF) || c === 0x3007;
  }
  function wordChar(c) {
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + 48;
    else if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 97;
    else if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 97;
    if (c >= 65 && c <= 90) c += 32;
    return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? String.fromCharCode(c) : '';
  }
  // What a query looks up: each run of two or more CJK characters gives its
  // bigrams, a lone character is looked up as every term that starts with it
  // (prefix), and each run of letters and digits is one lower-cased word.
  function queryUnits(q) {
    var units = [], seen = {};
    function push(key, cjk, prefix) {
      var id = (prefix ? '*' : '') + key;
      if (seen[id]) return;
      seen[id] = true;
      units.push({ key: key, cjk: cjk, prefix: prefix });
    }
    var run = [], word = '';
    function endRun() {
      if (run.length === 1) push(run[0], true, true);
      for (var i = 1; i < run.length; i++) push(run[i - 1] + run[i], true, false);
      run = [];
    }
    function endWord() { if (word) push(word, false, false); word = ''; }
    Array.from(String(q || '')).forEach(function (ch) {
      var c = ch.codePointAt(0);
      var w;
      if (isCjk(c)) { endWord(); run.push(ch); }
      else if ((w = wordChar(c))) { endRun(); word += w; }
      else { endWord(); endRun(); }
    });
    endWord();
    endRun();
    return units;
  }
  var encoder = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
  function fnv(s) {
    var bytes = encoder.encode(s), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619) >>> 0; }
    return h >>> 0;
  }
  function bucketOf(unit, buckets) {
    if (buckets <= 1) return 0;
    return fnv(unit.cjk ? Array.from(unit.key)[0] : unit.key) % buckets;
  }

  // ---- The engine. ----
  var K1 = 1.2, B = 0.25, HEAD = 100;
  function squeeze(s) { return String(s || '').replace(/[\s“”"‘’'《》（）()]/g, '').toLowerCase(); }
  function yearLabel(y) { return y ? y + '年' : ''; }

  // fetchJson(relativePath) -> Promise of the parsed file under search/data/.
  function createEngine(fetchJson) {
    var shards = null, ready = null, buckets = {}, fragments = {};
    function load() {
      if (ready) return ready;
      ready = fetchJson('shards.json').then(function (m) {
        return Promise.all((m.shards || []).map(function (s) {
          return fetchJson(s.dir + '/docs.json').then(function (d) {
            return { dir: s.dir, buckets: s.buckets, length: s.length, docs: d.docs || [] };
          });
        }));
      }).then(function (list) { shards = list; return list; });
      return ready;
    }
    function bucket(si, b) {
      var id = si + '/' + b;
      if (!buckets[id]) buckets[id] = fetchJson(shards[si].dir + '/b/' + b + '.json');
      return buckets[id];
    }
    function fragment(si, di) {
      var id = si + '/' + di;
      if (!fragments[id]) fragments[id] = fetchJson(shards[si].dir + '/f/' + di + '.json');
      return fragments[id];
    }
    function decode(list, into) {
      var doc = 0;
      for (var i = 0; i + 1 < list.length; i += 2) {
        doc += list[i];
        into[doc] = (into[doc] || 0) + list[i + 1];
      }
    }
    // For each unit, per shard: {doc: weighted frequency}.
    function postings(units) {
      return Promise.all(shards.map(function (s, si) {
        return Promise.all(units.map(function (u) {
          return bucket(si, bucketOf(u, s.buckets)).then(function (terms) {
            var tf = {};
            if (!u.prefix) {
              if (Object.prototype.hasOwnProperty.call(terms, u.key)) decode(terms[u.key], tf);
            } else {
              Object.keys(terms).forEach(function (t) { if (t.indexOf(u.key) === 0) decode(terms[t], tf); });
            }
            return tf;
          });
        }));
      }));
    }
    function matches(doc, filters, skip) {
      return (!filters.type || skip === 'type' || doc[1] === filters.type) &&
        (!filters.year || skip === 'year' || yearLabel(doc[2]) === filters.year) &&
        (!filters.organ || skip === 'organ' || doc[3] === filters.organ);
    }
    function counts(cands, filters) {
      var out = { type: {}, year: {}, organ: {} };
      cands.forEach(function (c) {
        var doc = shards[c.s].docs[c.d];
        var vals = { type: doc[1], year: yearLabel(doc[2]), organ: doc[3] };
        Object.keys(out).forEach(function (k) {
          if (vals[k] && matches(doc, filters, k)) out[k][vals[k]] = (out[k][vals[k]] || 0) + 1;
        });
      });
      return out;
    }
    function everything() {
      var all = [];
      shards.forEach(function (s, si) {
        s.docs.forEach(function (doc, di) { if (doc[1] !== '栏目') all.push({ s: si, d: di, score: 0 }); });
      });
      return all;
    }
    function byDate(a, b) {
      var x = shards[a.s].docs[a.d][5], y = shards[b.s].docs[b.d][5];
      return x < y ? 1 : x > y ? -1 : a.s - b.s || a.d - b.d;
    }
    // Among the first results, the documents that hold the whole query.
    function rerank(q, list) {
      var whole = squeeze(q);
      var head = list.slice(0, HEAD);
      if (!whole || !head.length) return Promise.resolve(list);
      return Promise.all(head.map(function (c) { return fragment(c.s, c.d); })).then(function (frags) {
        var tiers = frags.map(function (f, i) {
          var tier = squeeze(f.title).indexOf(whole) >= 0 ? 3
            : squeeze(f.number).indexOf(whole) >= 0 || squeeze(f.organ).indexOf(whole) >= 0 ? 2
            : squeeze(f.text).indexOf(whole) >= 0 ? 1 : 0;
          return { c: head[i], tier: tier, i: i };
        });
        tiers.sort(function (a, b) { return b.tier - a.tier || a.i - b.i; });
        return tiers.map(function (t) { return t.c; }).concat(list.slice(HEAD));
      });
    }
    // Results {list: [{s, d, score}], counts, units} for query `q` with
    // filters {type, year, organ} and sort ('' relevance, 'date').
    function search(q, filters, sort) {
      filters = filters || {};
      return load().then(function () {
        var units = queryUnits(q);
        if (!units.length) {
          var all = everything();
          all.sort(byDate);
          return { list: all.filter(function (c) { return matches(shards[c.s].docs[c.d], filters); }),
                   counts: counts(all, filters), units: units };
        }
        return postings(units).then(function (per) {
          var n = 0, total = 0, df = units.map(function () { return 0; });
          shards.forEach(function (s, si) {
            n += s.docs.length;
            total += s.length;
            units.forEach(function (u, k) { df[k] += Object.keys(per[si][k]).length; });
          });
          var avg = n ? Math.max(1, total / n) : 1;
          var idf = df.map(function (f) { return Math.log(1 + (n - f + 0.5) / (f + 0.5)); });
          var hits = [];
          shards.forEach(function (s, si) {
            var seen = {};
            units.forEach(function (u, k) {
              Object.keys(per[si][k]).forEach(function (d) { seen[d] = true; });
            });
            Object.keys(seen).forEach(function (d) {
              var dl = s.docs[d][4], score = 0, found = 0;
              units.forEach(function (u, k) {
                var tf = per[si][k][d];
                if (!tf) return;
                found++;
                score += idf[k] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avg));
              });
              var weight = s.docs[d][6];
              hits.push({ s: si, d: Number(d), score: score * (weight === undefined ? 1 : weight / 100), found: found });
            });
          });
          // Every term, if any document has them all; else the documents
          // with most of them, ranked lower the fewer they hold.
          var most = hits.reduce(function (m, h) { return Math.max(m, h.found); }, 0);
          var cands = most === units.length ? hits.filter(function (h) { return h.found === most; }) : hits.map(function (h) {
            var part = h.found / units.length;
            h.score *= part * part;
            return h;
          });
          cands.sort(sort === 'date' ? byDate : function (a, b) { return b.score - a.score || a.s - b.s || a.d - b.d; });
          var c = counts(cands, filters);
          var list = cands.filter(function (h) { return matches(shards[h.s].docs[h.d], filters); });
          return (sort === 'date' ? Promise.resolve(list) : rerank(q, list)).then(function (ranked) {
            return { list: ranked, counts: c, units: units, partial: most !== units.length };
          });
        });
      });
    }
    function allCounts() {
      return load().then(function () { return counts(everything(), {}); });
    }
    return { load: load, search: search, fragment: fragment, allCounts: allCounts };
  }

  // An excerpt of `f` around the query's terms: {before, parts: [[text, marked]], after}.
  function excerpt(f, units, size, query) {
    f = { text: f.text, title: f.title, number: f.number, organ: f.organ, query: query };
    size = size || 90;
    function find(source) {
      var lower = source.toLowerCase(), hits = [];
      units.forEach(function (u, k) {
        var at = 0;
        while ((at = lower.indexOf(u.key, at)) >= 0 && hits.length < 4000) {
          hits.push({ at: at, end: at + u.key.length, k: k });
          at += 1;
        }
      });
      hits.sort(function (a, b) { return a.at - b.at || a.end - b.end; });
      return hits;
    }
    var source = String(f.text || '').replace(/\n/g, ' ');
    var hits = find(source);
    if (!hits.length) {
      source = [f.title, f.number, f.organ].filter(Boolean).join('　') + (source ? '　' + source : '');
      hits = find(source);
    }
    var start = 0;
    var phrase = String(f.query || '').trim().toLowerCase();
    var whole = phrase ? source.toLowerCase().indexOf(phrase) : -1;
    if (whole >= 0) {
      start = Math.max(0, whole - 15);
    } else if (hits.length) {
      // The window that holds the most different terms.
      var best = -1, j = 0;
      for (var i = 0; i < hits.length; i++) {
        while (hits[j].at < hits[i].at - size + 20) j++;
        var kinds = {};
        for (var m = j; m <= i; m++) kinds[hits[m].k] = true;
        var count = Object.keys(kinds).length;
        if (count > best) { best = count; start = hits[j].at; }
      }
      start = Math.max(0, start - 15);
    }
    var end = Math.min(source.length, start + size);
    var mark = [];
    hits.forEach(function (h) {
      for (var p = Math.max(h.at, start); p < Math.min(h.end, end); p++) mark[p - start] = true;
    });
    var parts = [], text = source.slice(start, end);
    for (var q = 0; q < text.length;) {
      var r = q, on = !!mark[q];
      while (r < text.length && !!mark[r] === on) r++;
      parts.push([text.slice(q, r), on]);
      q = r;
    }
    return { before: start > 0, parts: parts, after: end < source.length };
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { createEngine: createEngine, queryUnits: queryUnits, fnv: fnv, bucketOf: bucketOf, excerpt: excerpt };
  }
  if (typeof document === 'undefined') return;

  // ---- The page. ----
  var PAGE = 10;
  var form = document.getElementById('search-form');
  if (!form) return;
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var guide = document.getElementById('search-guide');
  var problem = document.getElementById('search-missing');
  var filterBox = document.getElementById('search-filters');
  var selects = Array.prototype.slice.call(form.querySelectorAll('select'));
  var root = new URL('../', window.location.href);  // this page is <root>/search/
  var data = new URL('search/data/', root);

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = false;
    status.textContent = '';
  }

  if (window.location.protocol === 'file:') {
    showProblem('搜索需要通过网站服务器打开本站：浏览器不允许直接从本地文件（file://）加载搜索索引。' +
                '请在内网服务器上访问本站，或在项目文件夹中运行 bulletin serve 后打开它给出的地址。');
    form.querySelector('button').disabled = true;
    input.disabled = true;
    return;
  }

  var engine = createEngine(function (rel) {
    return fetch(new URL(rel, data)).then(function (r) {
      if (!r.ok) throw new Error(rel + ': HTTP ' + r.status);
      return r.json();
    });
  });
  var loaded = engine.load();
  loaded.catch(function (e) {
    showProblem('搜索索引未能加载（' + e.message + '）：请重新构建网站（bulletin build），再打开本页。');
  });

  function params() {
    var p = new URLSearchParams(window.location.search);
    return { q: (p.get('q') || '').trim(), type: p.get('type') || '', year: p.get('year') || '',
             organ: p.get('organ') || '', sort: p.get('sort') || '' };
  }

  function setUrl(state, push) {
    var p = new URLSearchParams();
    ['q', 'type', 'year', 'organ', 'sort'].forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    var url = window.location.pathname + (p.toString() ? '?' + p.toString() : '');
    if (url !== window.location.pathname + window.location.search) {
      (push ? history.pushState : history.replaceState).call(history, null, '', url);
    }
  }

  function formState() {
    var s = { q: input.value.trim() };
    selects.forEach(function (sel) { s[sel.name] = sel.value; });
    return s;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function excerptNode(f, units) {
    var p = el('p', 'search-result__excerpt');
    var ex = excerpt(f, units, 0, shownQuery);
    if (ex.before) p.appendChild(document.createTextNode('…'));
    ex.parts.forEach(function (part) {
      if (part[1]) p.appendChild(el('mark', '', part[0]));
      else p.appendChild(document.createTextNode(part[0]));
    });
    if (ex.after) p.appendChild(document.createTextNode('…'));
    return p;
  }

  function resultNode(f, units) {
    var li = el('li', 'search-result');
    var line = el('p', 'search-result__meta');
    line.appendChild(el('span', 'search-result__type', f.type || ''));
    [f.number, f.date, f.organ].forEach(function (v) {
      if (v) line.appendChild(el('span', 'search-result__field', v));
    });
    var h = el('h2', 'search-result__title');
    var a = el('a', 'search-result__link', f.title || f.url || '首页');
    a.href = new URL(String(f.url || '').replace(/^\/+/, ''), root).href;
    h.appendChild(a);
    li.appendChild(line);
    li.appendChild(h);
    li.appendChild(excerptNode(f, units));
    return li;
  }

  function fillFilters(state, available) {
    selects.forEach(function (sel) {
      var key = sel.getAttribute('data-filter');
      if (!key) { sel.value = state[sel.name] || ''; return; }
      var counts = (available && available[key]) || {};
      var keep = sel.options[0];
      sel.innerHTML = '';
      sel.appendChild(keep);
      var names = Object.keys(counts).filter(function (n) { return counts[n] > 0 || n === state[key]; });
      names.sort(key === 'year' ? function (x, y) { return y.localeCompare(x); } : function (x, y) { return counts[y] - counts[x] || x.localeCompare(y, 'zh'); });
      if (state[key] && names.indexOf(state[key]) < 0) names.unshift(state[key]);
      names.forEach(function (n) {
        var o = el('option', '', n + (counts[n] ? '（' + counts[n] + '）' : ''));
        o.value = n;
        sel.appendChild(o);
      });
      sel.value = state[key] || '';
    });
  }

  var shown = [], units = [], shownQuery = '';
  var searchId = 0;
  function showMore() {
    var next = shown.splice(0, PAGE);
    more.hidden = true;
    return Promise.all(next.map(function (c) { return engine.fragment(c.s, c.d); })).then(function (frags) {
      frags.forEach(function (f) { list.appendChild(resultNode(f, units)); });
      more.hidden = shown.length === 0;
    });
  }

  function run(state) {
    var id = ++searchId;
    input.value = state.q;
    selects.forEach(function (sel) { sel.value = state[sel.name] || ''; });
    var filters = {};
    ['type', 'year', 'organ'].forEach(function (k) { if (state[k]) filters[k] = state[k]; });
    var filtering = Object.keys(filters).length > 0;
    if (!state.q && !filtering) {
      list.innerHTML = '';
      more.hidden = true;
      guide.hidden = false;
      filterBox.hidden = true;
      status.textContent = '';
      return loaded.then(showOrgans, function () {});
    }
    guide.hidden = true;
    status.textContent = '正在搜索……';
    return engine.search(state.q, filters, state.sort).then(function (found) {
      if (id !== searchId) return;
      list.innerHTML = '';
      shown = found.list.slice();
      units = found.units;
      shownQuery = state.q;
      fillFilters(state, found.counts);
      filterBox.hidden = false;
      var what = state.q ? '“' + state.q + '”' : '所选条件';
      status.textContent = shown.length
        ? what + '：找到 ' + shown.length + ' 条结果' + (filtering ? '（已筛选）' : '') +
          (found.partial ? '；没有同时包含全部词语的文件，下面是包含其中部分词语的结果' : '')
        : '没有找到与' + what + '相关的内容' + (filtering ? '；可以放宽筛选条件再试' : '；可以换一个词，或只输入其中的一部分') + '。';
      return showMore();
    }, function () {});
  }

  function showOrgans() {
    return engine.allCounts().then(function (f) {
      var organs = Object.keys(f.organ || {});
      var box = document.getElementById('search-organs');
      if (!organs.length || !box) return;
      organs.sort(function (x, y) { return f.organ[y] - f.organ[x] || x.localeCompare(y, 'zh'); });
      var span = box.querySelector('span');
      span.innerHTML = '';
      organs.slice(0, 12).forEach(function (o, i) {
        if (i) span.appendChild(document.createTextNode('、'));
        var a = el('a', '', o);
        a.href = 'index.html?organ=' + encodeURIComponent(o);
        span.appendChild(a);
      });
      box.hidden = false;
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var s = formState();
    setUrl(s, true);
    run(s);
  });
  selects.forEach(function (sel) {
    sel.addEventListener('change', function () {
      var s = formState();
      setUrl(s, true);
      run(s);
    });
  });
  var typing = null;
  input.addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      var s = formState();
      setUrl(s, false);
      run(s);
    }, 300);
  });
  more.addEventListener('click', showMore);
  window.addEventListener('popstate', function () { run(params()); });
  run(params());
})();
