#!/usr/bin/python3
"""Prints the sample notices, a notice with 签发人 and 版记, and bulletin issue 6
to PDF with `bulletin build` and measures them against GB/T 9704-2012 with
pdftotext -bbox-layout, pdffonts and the PDF's own drawing operators.

usage: print_geometry.py BULLETIN_EXE SOURCE_DIR
Tolerances: positions ±1.5 mm (text boxes are font ascent/descent boxes), rule
widths ±0.5 mm, rule heights ±0.05 mm, page-number side ±2 mm, characters
per line exact.
"""
import html, os, re, shutil, subprocess, sys, tempfile, zlib

MM = 72 / 25.4
TOP, LEFT, WIDTH, HEIGHT = 37 * MM, 28 * MM, 156 * MM, 225 * MM
RIGHT, BOTTOM = LEFT + WIDTH, TOP + HEIGHT
failures = []

def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok: failures.append(what)

def lines(pdf):
    """Per page: list of (xMin, yMin, xMax, yMax, text) from pdftotext -bbox-layout."""
    out = subprocess.run(['pdftotext', '-bbox-layout', pdf, '-'], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r'<page .*?</page>', out, re.S):
        ls = []
        for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S):
            words = re.findall(r'<word [^>]*>(.*?)</word>', m.group(5))
            ls.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)),
                       ''.join(html.unescape(w) for w in words)))
        pages.append(ls)
    return pages

def rules(pdf):
    """Every horizontal rule WeasyPrint draws, as (color, x, top, width, height) in pt.
    A border is filled as the even-odd difference of its box's outer and inner
    rectangles ("x y w h re x y w h re f*", CSS px, y down), so a box's top and
    bottom borders are the gaps between the two."""
    data = open(pdf, 'rb').read()
    found = []
    op = re.compile(r'([\d.]+) ([\d.]+) ([\d.]+) rg|((?:-?[\d.]+ -?[\d.]+ -?[\d.]+ -?[\d.]+ re\s+)+)f\*?')
    for m in re.finditer(rb'stream\r?\n(.*?)endstream', data, re.S):
        try: s = zlib.decompress(m.group(1)).decode('latin1')
        except Exception: continue
        color = (0.0, 0.0, 0.0)
        for o in op.finditer(s):
            if o.group(1): color = (float(o.group(1)), float(o.group(2)), float(o.group(3))); continue
            rects = [tuple(float(v) * 0.75 for v in r.split()[:4]) for r in re.findall(r'(?:-?[\d.]+ ){4}re', o.group(4))]
            if len(rects) == 1:
                x, y, w, h = rects[0]
                if 0 < h < 2 * MM: found.append((color, x, y, w, h))
            elif len(rects) == 2 and near(rects[0][0], rects[1][0], .01) and near(rects[0][2], rects[1][2], .01):
                inner, outer = sorted(rects, key=lambda r: r[3])
                top, bottom = inner[1] - outer[1], outer[1] + outer[3] - inner[1] - inner[3]
                if top > 0.01: found.append((color, outer[0], outer[1], outer[2], top))
                if bottom > 0.01: found.append((color, outer[0], inner[1] + inner[3], outer[2], bottom))
    return sorted(set(found), key=lambda r: (r[2], r[4]))

def near(a, b, tol): return abs(a - b) <= tol

def page_numbers(name, pages):
    """Every page numbered, except a blank page before the 版记 page and that page (GB/T 9704-2012, 7.5)."""
    for i, ls in enumerate(pages, 1):
        nums = [l for l in ls if re.fullmatch(r'—\s*\d+\s*—', l[4])]
        blank = not [l for l in ls if l not in nums]
        after_blank = i > 1 and not [l for l in pages[i - 2] if not re.fullmatch(r'—\s*\d+\s*—', l[4])]
        if blank or after_blank:
            check(not nums, f'{name} p{i}: {"blank page" if blank else "版记 page after a blank page"} not numbered')
            continue
        check(len(nums) == 1 and re.sub(r'\D', '', nums[0][4]) == str(i), f'{name} p{i}: page number "— {i} —"')
        if len(nums) != 1: continue
        x0, y0, x1, y1, _ = nums[0]
        check(near(y0 - BOTTOM, 7 * MM, 1.5 * MM), f'{name} p{i}: page number 7 mm below the 版心 (got {(y0 - BOTTOM) / MM:.1f} mm)')
        if i % 2: check(near(x1, RIGHT - 14, 2 * MM), f'{name} p{i}: odd page number right, one character in (right edge {x1 / MM:.1f} mm)')
        else: check(near(x0, LEFT + 14, 2 * MM), f'{name} p{i}: even page number left, one character in (left edge {x0 / MM:.1f} mm)')

def fonts(name, pdf):
    out = subprocess.run(['pdffonts', pdf], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    check(rows and not any('Type 3' in r for r in rows), f'{name}: every font embedded as a real font, none Type 3')
    names = ' '.join(r.split()[0] for r in rows)
    roles = [('仿宋', 'Fang|仿宋'), ('小标宋', 'xiaobiaosong|XiaoBiaoSong|小标宋')]
    if name.startswith('hnjw'): roles += [('黑体', 'Hei|黑体'), ('楷体', 'Kai|楷体')]
    if '签发人' in name: roles += [('楷体 (签发人 names)', 'Kai|楷体')]
    for role, pat in roles:
        check(re.search(pat, names) is not None, f'{name}: a {role} face is embedded ({names})')

def chars_per_line(name, pages):
    full = [l for ls in pages for l in ls
            if near(l[0], LEFT, 2) and l[2] > RIGHT - 16 and near(l[3] - l[1], 16, 3) and re.fullmatch(r'[\u4e00-\u9fff，。、；：！？“”《》（）]+', l[4])]
    check(len(full) > 0 and all(len(l[4]) == 28 for l in full),
          f'{name}: 28 characters on every full line of Chinese text ({sorted(set(len(l[4]) for l in full))} over {len(full)} lines)')

def lines_per_page(name, pages):
    body = [l for l in pages[1] if near(l[3] - l[1], 16, 3) and l[1] < BOTTOM]
    check(len(body) == 22, f'{name} p2: 22 lines of text ({len(body)})')

LINE = 28.9  # 3号 on 22 lines: the body's line pitch, pt

def head(name, first, red):
    """版头 (GB/T 9704-2012 7.2.4-7.2.7). 发文字号 and 签发人 空二行 below the
    发文机关标志: two 28.9 pt lines from the mark's lower edge to the top of their
    characters (±1.5 mm). 下行文: 发文字号 centred (±1 mm). 上行文: 发文字号 one
    character (16 pt) in from the left (±1 mm) on the line of the last 签发人 name
    (same text box ±1 pt); 签发人 one character in from the right (±1 mm), two
    names a line on the 28.9 pt pitch (±1 pt), a new line under the first name
    (±2 pt); the red line 4 mm below the 发文字号 (checked by the caller)."""
    red_top = red[0][2] if red else BOTTOM
    docno = [l for l in first if re.search(r'〔\d{4}〕\d+号', l[4]) and l[1] < red_top]
    if name.startswith('hnjw'):  # seed 003 has no 发文字号
        check(not docno, f'{name}: no 发文字号 in the head, as in the source')
        return
    check(len(docno) == 1, f'{name}: one 发文字号 in the head')
    if not docno: return
    d = docno[0]
    # The 发文机关标志's lines (a 联合行文 has one per organ) are the large ones above the 发文字号.
    issuer_bottom = max(l[3] for l in first if l[3] - l[1] > 20 and l[1] < d[1])
    gap = d[1] - issuer_bottom
    if '签发人' not in name:
        check(near(gap, 2 * LINE, 1.5 * MM), f'{name}: 发文字号 two lines below the 发文机关标志 (gap {gap / MM:.1f} mm, want {2 * LINE / MM:.1f})')
    signers = sorted([l for l in first if l[1] < red_top and l[1] > issuer_bottom and l is not d
                      and not re.search(r'〔\d{4}〕', l[4])], key=lambda l: l[1])
    if '签发人' not in name:
        check(near((d[0] + d[2]) / 2, LEFT + WIDTH / 2, 1 * MM), f'{name}: 下行文 发文字号 centred ({((d[0] + d[2]) / 2 - LEFT) / MM:.1f} mm of {WIDTH / MM:.0f})')
        return
    check(len(signers) >= 1 and signers[0][4].startswith('签发人：'), f'{name}: 签发人 in the head ({[l[4] for l in signers]})')
    if not signers: return
    top = signers[0]
    check(near(top[1] - issuer_bottom, 2 * LINE, 1.5 * MM), f'{name}: 签发人 two lines below the 发文机关标志 (gap {(top[1] - issuer_bottom) / MM:.1f} mm)')
    check(near(top[2], RIGHT - 16, 1 * MM), f'{name}: 签发人 one character in from the right ({(RIGHT - top[2]) / 16:.2f} chars)')
    check(near(d[0], LEFT + 16, 1 * MM), f'{name}: 上行文 发文字号 one character in from the left ({(d[0] - LEFT) / 16:.2f} chars)')
    last = signers[-1]
    check(near(d[1], last[1], 1) and near(d[3], last[3], 1), f'{name}: 发文字号 on the line of the last 签发人 name ({d[1]:.1f} / {last[1]:.1f} pt)')
    # "签发人：" is four characters at 15.75 pt (16 pt less the body's letter-spacing).
    first_name = top[0] + 4 * 15.75
    for prev, row in zip(signers, signers[1:]):
        check(near(row[1] - prev[1], LINE, 1), f'{name}: 签发人 rows {LINE} pt apart ({row[1] - prev[1]:.1f})')
        check(near(row[0], first_name, 2), f'{name}: a new 签发人 row starts under the first name ({row[0]:.1f} / {first_name:.1f} pt)')
    names = ''.join(l[4] for l in signers).replace('签发人：', '')
    check(all(len(l[4].replace('签发人：', '')) <= 4 for l in signers), f'{name}: two names a 签发人 line ({[l[4] for l in signers]})')

def colophon(name, pdf, pages):
    """版记 (7.4): on the last page, an even one; first and last rules 0.35 mm,
    the one between 0.25 mm (±0.05 mm), all as wide as the 版心 from its left
    edge (±0.5 mm); the last rule on the 版心's lower edge (±1 mm). 4号 (14 pt,
    box ±0.5 pt): 抄送 one character (14 pt) in from the left and right (±1 pt),
    wrapped lines under the first character after "抄送：" (±1 pt); 印发机关 one
    character in from the left, 印发日期 one character in from the right, on one
    line just above the last rule (±1 pt; within one 28.9 pt line)."""
    check(len(pages) % 2 == 0, f'{name}: the 版记 page is even ({len(pages)} pages)')
    last_page = len(pages)
    rs = [r for r in rules(pdf) if max(r[0]) < 0.2 and near(r[3], WIDTH, .5 * MM)]
    check(len(rs) == 3, f'{name}: three 版记 rules as wide as the 版心 ({len(rs)})')
    if len(rs) != 3: return
    hs = [r[4] / MM for r in rs]
    check(near(hs[0], .35, .05) and near(hs[1], .25, .05) and near(hs[2], .35, .05), f'{name}: 版记 rules 0.35 / 0.25 / 0.35 mm ({[round(h, 2) for h in hs]})')
    check(all(near(r[1], LEFT, .5 * MM) for r in rs), f'{name}: 版记 rules start at the 版心\'s left edge ({[round((r[1] - LEFT) / MM, 2) for r in rs]} mm)')
    check(near(rs[2][2] + rs[2][4], BOTTOM, 1 * MM), f'{name}: 版记 ends on the last line of the 版心 ({(BOTTOM - rs[2][2] - rs[2][4]) / MM:.1f} mm above)')
    ls = [l for l in pages[-1] if not re.fullmatch(r'—\s*\d+\s*—', l[4])]
    cc = [l for l in ls if rs[0][2] < l[1] < rs[1][2]]
    printed = [l for l in ls if rs[1][2] < l[1] < rs[2][2]]
    check(len(cc) >= 1 and cc[0][4].startswith('抄送：'), f'{name}: 抄送 between the first and middle rules ({[l[4][:6] for l in cc]})')
    check(len(printed) >= 1 and any('印发' in l[4] for l in printed), f'{name}: 印发机关 and 印发日期 between the middle and last rules ({[l[4] for l in printed]})')
    if cc:
        check(all(near(l[3] - l[1], 14, .5) for l in cc + printed), f'{name}: 版记 in 4号 (14 pt)')
        check(near(cc[0][0], LEFT + 14, 1), f'{name}: 抄送 one character in from the left ({(cc[0][0] - LEFT) / 14:.2f} chars)')
        check(all(l[2] <= RIGHT - 14 + 1 for l in cc), f'{name}: 抄送 one character in from the right ({[round((RIGHT - l[2]) / 14, 2) for l in cc]} chars)')
        check(len(cc) >= 2, f'{name}: the sample 抄送 wraps ({len(cc)} lines)')
        for l in cc[1:]:
            check(near(l[0], LEFT + 14 + 3 * 14, 1), f'{name}: 抄送 wrapped under the first character after the colon ({(l[0] - LEFT) / 14:.2f} chars in)')
    if printed:
        organ = min(printed, key=lambda l: l[0]); date = max(printed, key=lambda l: l[2])
        check(organ is not date and near(organ[1], date[1], 1), f'{name}: 印发机关 and 印发日期 on one line')
        check(near(organ[0], LEFT + 14, 1), f'{name}: 印发机关 one character in from the left ({(organ[0] - LEFT) / 14:.2f} chars)')
        check(near(date[2], RIGHT - 14, 1) and date[4].endswith('印发'), f'{name}: 印发日期 "…印发" one character in from the right ({(RIGHT - date[2]) / 14:.2f} chars)')
        check(0 < rs[2][2] - date[3] < LINE, f'{name}: 印发 line just above the last rule ({(rs[2][2] - date[3]):.1f} pt)')

def web_fonts(site):
    """bulletin.yaml's web_fonts: [fandol]: the four faces a 公文 uses ship as
    WOFF2 subsets (under 2 MB in all) with @font-face rules whose URLs are
    relative, the GPL text beside them, and every page links the rules."""
    css_path = os.path.join(site, 'assets/fonts.css')
    check(os.path.exists(css_path), 'web fonts: assets/fonts.css in the site')
    if not os.path.exists(css_path): return
    css = open(css_path, encoding='utf-8').read()
    urls = re.findall(r'url\("([^"]+)"\)', css)
    check(urls and all(not re.match(r'[a-z]+:|/', u) for u in urls), f'web fonts: relative URLs only ({sorted(set(urls))})')
    files = sorted(set(os.path.join(site, 'assets', u) for u in urls))
    check(len(files) == 4 and all(os.path.exists(f) and open(f, 'rb').read(4) == b'wOF2' for f in files), f'web fonts: four WOFF2 files ({[os.path.basename(f) for f in files]})')
    size = sum(os.path.getsize(f) for f in files if os.path.exists(f))
    check(0 < size < 2_000_000, f'web fonts: {size / 1e6:.2f} MB in all (the whole faces are 26 MB)')
    for family in ['FandolFang', 'FandolKai', 'FandolHei', 'bulletin-xiaobiaosong']:
        check(f'font-family: "{family}"' in css, f'web fonts: @font-face for {family}')
    check(os.path.exists(os.path.join(site, 'assets/fonts/Fandol-COPYING.txt')), 'web fonts: the Fandol licence ships beside them')
    page = open(os.path.join(site, 'notices/校党委发/2020/51/index.html'), encoding='utf-8').read()
    check('<link rel="stylesheet" href="../../../../assets/fonts.css">' in page, 'web fonts: a notice links assets/fonts.css relatively')

def build(exe, src, name='project', publish=False):
    tmp = tempfile.mkdtemp(prefix='bulletin-print-')
    proj = os.path.join(tmp, name)
    os.mkdir(proj)
    for part in ['bulletin.yaml', 'content', 'data', 'templates']:
        (shutil.copytree if os.path.isdir(os.path.join(src, part)) else shutil.copy)(os.path.join(src, part), os.path.join(proj, part))
    # A notice with 签发人 (上行文 head), attachments and 版记 (抄送, 印发机关).
    extra = os.path.join(src, 'tests/sites/series-and-notices/content/notices')
    shutil.copy(os.path.join(extra, '2020-xdw-12.md'), os.path.join(proj, 'content/notices/'))
    shutil.copytree(os.path.join(extra, '2020-xdw-12'), os.path.join(proj, 'content/notices/2020-xdw-12'))
    env = dict(os.environ); env.pop('BULLETIN_PDF', None)
    if publish:  # freezes the notice's PDF beside its snapshot
        r = subprocess.run([exe, 'publish', '-p', proj, 'content/notices/2019-wuhan-7.md', 'content/notices/2020-xdw-12.md',
                            '--date', '2020-05-07'],
                           capture_output=True, text=True, env=env)
        print(r.stdout + r.stderr)
    r = subprocess.run([exe, 'build', proj], capture_output=True, text=True, env=env)
    print(r.stdout + r.stderr)
    if r.returncode != 0 or 'PDFs skipped' in r.stdout + r.stderr:
        print('build failed or made no PDFs'); sys.exit(1)
    return tmp, os.path.join(proj, 'site')

def main():
    exe, src = sys.argv[1], sys.argv[2]
    tmp, site = build(exe, src, publish=True)
    # Published: the PDF is the one frozen beside the snapshot, whose digest the snapshot records.
    frozen = os.path.join(site, '../data/published/notices/武宣文/2019/7/v1.pdf')
    snap = open(os.path.join(site, '../data/published/notices/武宣文/2019/7/v1.yaml'), encoding='utf-8').read()
    import hashlib
    digest = 'sha256:' + hashlib.sha256(open(frozen, 'rb').read()).hexdigest() if os.path.exists(frozen) else ''
    check(digest != '' and f'pdf_digest: {digest}' in snap, 'publish froze the PDF and its snapshot records its digest')
    check(os.path.exists(frozen) and open(frozen, 'rb').read() == open(os.path.join(site, 'notices/武宣文/2019/7/document.pdf'), 'rb').read(),
          'the site serves the frozen PDF of a published notice')
    # Published with an attachment page: its PDF is frozen too, and served.
    base = os.path.join(site, '../data/published/notices/校党委发/2020/12/')
    snap = open(base + 'v1.yaml', encoding='utf-8').read()
    frozen = base + 'v1-attachment-1.pdf'
    digest = 'sha256:' + hashlib.sha256(open(frozen, 'rb').read()).hexdigest() if os.path.exists(frozen) else ''
    check(digest != '' and f'attachment_pdfs:\n  "attachment-1/": {digest}\n' in snap, 'publish froze the attachment page\'s PDF and the snapshot records its digest')
    check(os.path.exists(frozen) and open(frozen, 'rb').read() == open(os.path.join(site, 'notices/校党委发/2020/12/attachment-1/document.pdf'), 'rb').read(),
          'the site serves the frozen PDF of a published attachment page')
    web_fonts(site)
    # Deterministic: a second build elsewhere, from an empty cache, gives the same bytes.
    tmp2, site2 = build(exe, src, name='elsewhere')
    for rel in ['notices/2019/2019-hnjw-xxqg/document.pdf', 'bulletins/jiaowei/2020/6/document.pdf',
                'notices/校党委发/2020/12/document.pdf', 'notices/2019/2019-hnjw-xxqg/attachment-1/document.pdf',
                'assets/fonts.css', 'assets/fonts/FandolFang-Regular.woff2', 'assets/fonts/FandolSong-Bold.woff2']:
        a, b = (open(os.path.join(d, rel), 'rb').read() for d in (site, site2))
        check(a == b, f'{rel}: two builds in two folders give identical bytes')
    shutil.rmtree(tmp2, ignore_errors=True)
    notices = {
        'hnjw (联合行文)': 'notices/2019/2019-hnjw-xxqg/document.pdf',
        'shnu 51': 'notices/校党委发/2020/51/document.pdf',
        'gxfz 58 (签发人)': 'notices/桂纺校党字/2020/58/document.pdf',
        'wuhan 7': 'notices/武宣文/2019/7/document.pdf',
        'xdw 12 (版记, 签发人)': 'notices/校党委发/2020/12/document.pdf',
    }
    for name, rel in notices.items():
        pdf = os.path.join(site, rel)
        check(os.path.exists(pdf), f'{name}: PDF beside the page')
        if not os.path.exists(pdf): continue
        pages = lines(pdf)
        page_numbers(name, pages)
        fonts(name, pdf)
        first = pages[0]
        issuer = min(first, key=lambda l: l[1])
        check(near(issuer[1] - TOP, 35 * MM, 1.5 * MM), f'{name}: 发文机关标志 35 mm below the 版心 top (got {(issuer[1] - TOP) / MM:.1f} mm)')
        red = [r for r in rules(pdf) if r[0][0] > 0.8 and r[0][1] < 0.2]
        check(len(red) >= 1 and near(red[0][3], WIDTH, 0.5 * MM), f'{name}: red 分隔线 as wide as the 版心')
        docno = [l for l in first if re.search(r'〔\d{4}〕\d+号', l[4])]
        if docno and red:
            gap = red[0][2] - docno[0][3]
            check(near(gap, 4 * MM, 1 * MM), f'{name}: 分隔线 4 mm below the 发文字号 (got {gap / MM:.1f} mm)')
        head(name, first, red)
        if name.startswith(('hnjw', 'wuhan')): chars_per_line(name, pages)
        all_text = [l[4] for ls in pages for l in ls]
        check(not any(re.search(r'[\u4e00-\u9fff”] [\u4e00-\u9fff“]', t) for t in all_text), f'{name}: no stray spaces between Chinese characters')
    # Title broken at the source's breaks.
    pages = lines(os.path.join(site, notices['hnjw (联合行文)']))
    texts = [l[4] for l in pages[0]]
    check('关于印发《湖南省高校“学习强国”' in texts and '学习平台建设推广工作方案》的通知' in texts, 'hnjw: title broken where the source breaks it')
    # 联合行文: each organ on its own line, centred over the date.
    sig = [l for ls in pages for l in ls if l[4] in ('中共湖南省委教育工作委员会', '湖南省教育厅') and l[1] > TOP + 60 * MM]
    date = [l for ls in pages for l in ls if l[4] == '2019年3月7日']
    check(len(sig) == 2 and len(date) == 1, f'hnjw: each organ\'s signature on its own line {sig} {date}')
    if len(sig) == 2 and date:
        dc = (date[0][0] + date[0][2]) / 2
        check(all(near((s[0] + s[2]) / 2, dc, 2) for s in sig), 'hnjw: 署名 centred over the 成文日期')
        check(near(date[0][2], RIGHT - 4 * 16, 4), f'hnjw: 成文日期 four characters in from the right ({(RIGHT - date[0][2]) / 16:.2f} chars)')
    lines_per_page('hnjw', pages[2:])
    # 附件说明: wrapped lines under the first character of the name.
    for ls in pages:
        for k, l in enumerate(ls):
            if l[4].startswith('附件：') and k + 1 < len(ls):
                nxt = ls[k + 1]
                check(nxt[0] > l[0] + 3 * 15.5, f'hnjw: 附件说明 wrapped under the name, not the label (label {l[0]:.1f}, next {nxt[0]:.1f})')
                break
    # 版记 on the last, even page.
    pdf = os.path.join(site, notices['xdw 12 (版记, 签发人)'])
    colophon('xdw 12', pdf, lines(pdf))
    check(any('签发人' in l[4] for l in lines(pdf)[0]), 'xdw 12: 签发人 in the head')
    # Bulletin issue 6.
    pdf = os.path.join(site, 'bulletins/jiaowei/2020/6/document.pdf')
    pages = lines(pdf)
    page_numbers('issue 6', pages)
    fonts('issue 6', pdf)
    check(len(pages) % 2 == 0 and any('共印' in l[4] for l in pages[-1]), f'issue 6: 版记 on the last, even page ({len(pages)} pages; {[l[4] for l in pages[-1]][:4]})')
    number = [l for l in pages[0] if re.fullmatch(r'第\s*6\s*期', l[4])]
    body = [l for ls in pages for l in ls if near(l[0], LEFT + 32, 3) and len(l[4]) > 20]
    # A 16 pt 仿宋 line's text box is 16 pt high (the 发文字号 measures 15.98 pt).
    check(number and near(number[0][3] - number[0][1], 16, 0.5), f'issue 6: 第6期 at the body size (3号, 16 pt) {number[:1]} {body[:1]}')
    header = [l for ls in pages for l in ls if l[4].startswith('排序')]
    check(len(header) >= 1, 'issue 6: ranking header cells on one line (排序 not wrapped)')
    # A row reads "44中共复旦大学委员会…": its rank, then the unit's name.
    row_pages = [[l for l in ls if re.match(r'\d+[\u4e00-\u9fff]', l[4]) and near(l[3] - l[1], 12, 3)] for ls in pages]
    last = [rows for rows in row_pages if rows][-1]
    check(len(last) >= 3 and last[-1][4].startswith('44'), f'issue 6: the table\'s last page holds at least 3 rows ({[r[4][:2] for r in last]})')
    shutil.rmtree(tmp, ignore_errors=True)
    print(f'{len(failures)} failure(s)')
    sys.exit(1 if failures else 0)

main()
