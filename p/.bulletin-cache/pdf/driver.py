
import sys, logging
logging.getLogger('weasyprint').setLevel(logging.ERROR)
logging.getLogger('fontTools').setLevel(logging.ERROR)
import weasyprint
# Links would point at the staging folder: a filed PDF has none.
NO_LINKS = weasyprint.CSS(string='a[href] { -weasy-link: none !important; }')
AFTER_BREAK = weasyprint.CSS(string='.gw-colophon, .jb-colophon { break-before: left !important; margin-top: 0 !important; }')
# A blank page before the 版记 page: neither is numbered (GB/T 9704-2012, 7.5).
UNNUMBERED = weasyprint.CSS(string='.gw-colophon, .jb-colophon { page: bulletin-colophon; } '
    '@page bulletin-colophon:left { @bottom-left { content: none !important } } '
    '@page bulletin-colophon:right { @bottom-right { content: none !important } }')
def colophon(page):
    for box in page._page_box.descendants():
        el = getattr(box, 'element', None)
        if el is None or getattr(box, 'element_tag', '') != 'footer': continue
        cls = (el.get('class') or '').split()
        if 'gw-colophon' in cls or 'jb-colophon' in cls: return box
    return None
# WeasyPrint ignores break-before/after: avoid between table rows: when a
# table's last page would hold fewer than three of its rows, break before its
# third-last row instead (the header repeats on every page).
def keep_last_rows(doc):
    moved = False
    for page in doc.pages:
        for group in page._page_box.descendants():
            if type(group).__name__ != 'TableRowGroupBox' or getattr(group, 'element_tag', '') != 'tbody': continue
            rows = [r.element for r in group.children]
            every = [e for e in group.element if e.tag.endswith('tr')]
            if len(every) >= 6 and rows and rows[-1] is every[-1] and rows[0] is not every[0] and len(rows) < 3:
                every[-3].set('style', (every[-3].get('style') or '') + ';break-before: page')
                moved = True
    return moved
def render(src, out):
    html = weasyprint.HTML(filename=src)
    doc = html.render(stylesheets=[NO_LINKS])
    if keep_last_rows(doc): doc = html.render(stylesheets=[NO_LINKS])
    box = colophon(doc.pages[-1]) if doc.pages else None
    if box is not None and len(doc.pages) % 2 == 1:
        doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK])
        if keep_last_rows(doc): doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK])
        if len(doc.pages) > 1 and doc.pages[-2]._page_box.page_type.blank:
            doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK, UNNUMBERED])
        box = colophon(doc.pages[-1])
    if box is not None:
        page = doc.pages[-1]._page_box
        dy = page.content_box_y() + page.height - (box.position_y + box.margin_height())
        if dy > 0: box.translate(0, dy)
    doc.write_pdf(out)
    return len(doc.pages)
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line: continue
    src, out = line.split('\t')
    try:
        print('ok', out, render(src, out), flush=True)
    except Exception as e:
        print('error', out, str(e).replace('\n', ' '), flush=True)
