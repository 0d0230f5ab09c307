// The search page: loads the primary Pagefind bundle (pagefind/), merges the
// shards listed in pagefind/bundles.json into it (Pagefind multisite), and
// shows one ranked list with each document's type, number, date and organ.
// The query and filters live in the URL (search/?q=复旦&type=通知), so a
// result list can be shared. Links are relative to the site root, found from
// this page's own address, so the site works under any sub-path.
(function () {
  'use strict';
  var PAGE = 10;
  // Short pages (a member's ranking history) should not outrank the document
  // that holds the words, and a whole word counts more than a longer word
  // starting with it (学 in 学军).
  var RANKING = { pageLength: 0.1, termSimilarity: 4.0, termSaturation: 1.4, termFrequency: 1.0 };
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var guide = document.getElementById('search-guide');
  var problem = document.getElementById('search-missing');
  var filterBox = document.getElementById('search-filters');
  var selects = Array.prototype.slice.call(form.querySelectorAll('select'));
  var root = new URL('../', window.location.href);  // this page is <root>/search/

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

  var pagefind = null;
  var ready = null;
  function load() {
    if (ready) return ready;
    ready = fetch(new URL('pagefind/bundles.json', root))
      .then(function (r) {
        if (!r.ok) throw new Error('bundles.json: HTTP ' + r.status);
        return r.json();
      })
      .then(function (manifest) {
        return import(new URL('pagefind/pagefind.js', root).href).then(function (pf) {
          pagefind = pf;
          return pf.options({ excerptLength: 40, ranking: RANKING }).then(function () {
            return Promise.all((manifest.bundles || []).map(function (b) {
              return pf.mergeIndex(new URL('pagefind/' + b, root).href, { ranking: RANKING });
            })).then(function () { return pf.filters(); });  // loads every filter, for their counts
          });
        });
      });
    ready.catch(function (e) {
      showProblem('搜索索引未能加载（' + e.message + '）：网站可能是在没有 Pagefind 的情况下构建的，请在安装 Pagefind 后重新构建。');
    });
    return ready;
  }

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

  // Pagefind's excerpt is plain text with <mark> around the matches: keep
  // only those marks.
  function excerptNode(excerpt) {
    var p = el('p', 'search-result__excerpt');
    var parts = String(excerpt || '').split(/(<mark>|<\/mark>)/);
    var mark = null;
    parts.forEach(function (part) {
      if (part === '<mark>') { mark = el('mark'); p.appendChild(mark); return; }
      if (part === '</mark>') { mark = null; return; }
      var text = part.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      (mark || p).appendChild(document.createTextNode(text));
    });
    return p;
  }

  function resultNode(data) {
    var meta = data.meta || {};
    var li = el('li', 'search-result');
    var line = el('p', 'search-result__meta');
    line.appendChild(el('span', 'search-result__type', meta.type || ''));
    [meta.number, meta.date, meta.organ].forEach(function (v) {
      if (v) line.appendChild(el('span', 'search-result__field', v));
    });
    var h = el('h2', 'search-result__title');
    var a = el('a', 'search-result__link', meta.title || data.raw_url || data.url);
    a.href = new URL(String(data.raw_url || data.url).replace(/^\/+/, ''), root).href;
    h.appendChild(a);
    li.appendChild(line);
    li.appendChild(h);
    li.appendChild(excerptNode(data.excerpt));
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

  // Pagefind ranks words, not phrases: among the first results, a document
  // whose title, number or organ holds the whole query comes first (a clerk
  // typing a title, a 发文字号 or a unit's name means that document).
  var RERANK = 100;
  // Ways to cut a query of one run of Chinese characters into words of two
  // (three where the count needs it), as the index's segmenter usually cuts
  // names: "上海 工程 技术 大学", then "上海市 教育 卫生 工作 委员会". Empty for
  // any other query.
  function cjkSplits(q) {
    var t = String(q || '').trim();
    if (!/^[\u3400-\u9fff]{3,}$/.test(t)) return [];
    var c = Array.from(t), n = c.length;
    function cut(first) {
      var p = [], i = 0;
      if (first === 3) { p.push(c.slice(0, 3).join('')); i = 3; }
      while (i < n) { var k = n - i === 3 ? 3 : 2; p.push(c.slice(i, i + k).join('')); i += k; }
      return p.join(' ');
    }
    var a = cut(2), b = cut(3);
    return a === b ? [a] : [a, b];
  }
  function squeeze(s) { return String(s || '').replace(/[\s“”"‘’'《》（）()]/g, '').toLowerCase(); }
  function rerank(q, results, byDate) {
    var whole = squeeze(q);
    if (!whole || byDate) return Promise.resolve(results);
    var head = results.slice(0, RERANK);
    return Promise.all(head.map(function (r) { return r.data(); })).then(function (datas) {
      var tiers = datas.map(function (d, i) {
        var m = d.meta || {};
        var tier = squeeze(m.title).indexOf(whole) >= 0 ? 3
          : squeeze(m.number).indexOf(whole) >= 0 || squeeze(m.organ).indexOf(whole) >= 0 ? 2
          : squeeze(d.content).indexOf(whole) >= 0 ? 1 : 0;
        return { r: head[i], tier: tier, i: i };
      });
      tiers.sort(function (a, b) { return b.tier - a.tier || a.i - b.i; });
      return tiers.map(function (t) { return t.r; }).concat(results.slice(RERANK));
    });
  }

  var shown = [];
  var searchId = 0;
  function showMore() {
    var next = shown.splice(0, PAGE);
    more.hidden = true;
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (datas) {
      datas.forEach(function (d) { list.appendChild(resultNode(d)); });
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
      return load().then(showOrgans);
    }
    guide.hidden = true;
    status.textContent = '正在搜索……';
    return load().then(function () {
      var options = { filters: filters };
      if (state.sort === 'date') options.sort = { date: 'desc' };
      return pagefind.search(state.q || null, options).then(function (search) {
        // Pagefind segments a Chinese query on its own and may cut it where the
        // index did not ("上海工程技术大学"), finding nothing; then search again
        // for its words cut the ways the index usually cuts them.
        if (!search || search.results.length) return search;
        var splits = cjkSplits(state.q);
        var next = function (k) {
          if (k >= splits.length) return search;
          return pagefind.search(splits[k], options).then(function (s) {
            return s && s.results.length ? s : next(k + 1);
          });
        };
        return next(0);
      });
    }).then(function (search) {
      if (id !== searchId || !search) return null;
      return rerank(state.q, search.results, state.sort === 'date').then(function (results) {
        return { results: results, filters: search.filters };
      });
    }).then(function (search) {
      if (id !== searchId || !search) return;
      list.innerHTML = '';
      shown = search.results.slice();
      fillFilters(state, search.filters);
      filterBox.hidden = false;
      var what = state.q ? '“' + state.q + '”' : '所选条件';
      status.textContent = shown.length
        ? what + '：找到 ' + shown.length + ' 条结果' + (filtering ? '（已筛选）' : '')
        : '没有找到与' + what + '相关的内容' + (filtering ? '；可以放宽筛选条件再试' : '；可以换一个词，或只输入其中的一部分') + '。';
      return showMore();
    });
  }

  function showOrgans() {
    if (!pagefind) return;
    return pagefind.filters().then(function (f) {
      var organs = Object.keys((f && f.organ) || {});
      var box = document.getElementById('search-organs');
      if (!organs.length || !box) return;
      organs.sort(function (x, y) { return f.organ[y] - f.organ[x]; });
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
