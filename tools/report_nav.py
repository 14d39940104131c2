"""The course-site frame of a chapter report: what produced it, its contents, and its neighbours.

run_notebook.py calls `framed` on the HTML nbconvert wrote. At the top: the
budget that produced the report and how long it ran, links to the index and
to the previous and next chapters, and a table of contents from the
notebook's own section headings (## and ###); at the bottom, the neighbours
again. `sections` gives the index page the same contents.
"""
import html
import re
import time

# nbconvert's lab template gives each Markdown heading an id from its text.
HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
TAG = re.compile(r'<[^>]+>')

STYLE = """<style type="text/css">
  nav.cnnlab-nav { font-family: var(--jp-ui-font-family, system-ui, sans-serif); border: 1px solid #ddd; border-radius: 4px;
                   padding: 8px 14px; margin: 12px 0 18px; background: #fafafa; }
  nav.cnnlab-nav .cnnlab-ran { margin: 0 0 6px; color: #333; }
  nav.cnnlab-nav .cnnlab-links { margin: 0 0 6px; }
  nav.cnnlab-nav ul { margin: 2px 0; padding-left: 1.2em; list-style: none; }
  nav.cnnlab-nav a { color: #1a5fb4; text-decoration: none; }
  nav.cnnlab-nav a:hover { text-decoration: underline; }
  nav.cnnlab-nav summary { cursor: pointer; color: #555; }
  @media print { nav.cnnlab-nav .cnnlab-links { display: none; } }
</style>"""


def duration(seconds):
    """'48 s', '4 min 24 s', '1 h 05 min': how long a run took, as a reader says it."""
    seconds = int(round(seconds))
    if seconds < 60:
        return '%d s' % seconds
    if seconds < 3600:
        return '%d min %02d s' % (seconds // 60, seconds % 60)
    return '%d h %02d min' % (seconds // 3600, (seconds % 3600) // 60)


def sections(body):
    """The report's headings as [{'level', 'id', 'title'}], in order (## is level 2, ### level 3)."""
    found = []
    for level, anchor, inner in HEADING.findall(body):
        title = html.unescape(TAG.sub('', ANCHOR_LINK.sub('', inner))).strip()
        if title:
            found.append({'level': int(level), 'id': html.unescape(anchor), 'title': title})
    return found


def contents(found):
    """A list of the ## headings, each with its ### headings nested under it (unnumbered: the headings carry their own numbers)."""
    items, open_sub = [], False
    for s in found:
        link = '<a href="#%s">%s</a>' % (html.escape(s['id'], quote=True), html.escape(s['title']))
        if s['level'] == 2:
            if open_sub:
                items.append('</ul>')
                open_sub = False
            if items:
                items.append('</li>')
            items.append('<li>' + link)
        else:
            if not open_sub:
                items.append('<ul>')
                open_sub = True
            items.append('<li>%s</li>' % link)
    if open_sub:
        items.append('</ul>')
    if items:
        items.append('</li>')
    return '<ul>%s</ul>' % ''.join(items)


def neighbours(nav):
    """'All chapters · ← previous · next →' as links; empty where the run had no neighbours (cnnlab run)."""
    parts = []
    if nav.get('index'):
        parts.append('<a href="%s">All chapters</a>' % html.escape(nav['index'], quote=True))
    for key, before, after in (('previous', '&larr; ', ''), ('next', '', ' &rarr;')):
        other = nav.get(key)
        if other:
            parts.append('%s<a href="%s" rel="%s">%s</a>%s' % (
                before, html.escape(other['href'], quote=True), 'prev' if key == 'previous' else 'next',
                html.escape(other['title']), after))
    return ' &middot; '.join(parts)


def framed(body, nav, seconds, ok):
    """The report with its frame: the top after <main>, the neighbours again before </main>."""
    found = sections(body)
    finished = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    ran = 'Budget <b>%s</b>; this report %s %s (finished %s).' % (
        html.escape(nav.get('budget', 'unknown')), 'ran in' if ok else 'stopped after', duration(seconds), finished)
    links = neighbours(nav)
    top = ['<nav class="cnnlab-nav" aria-label="chapter">', '<p class="cnnlab-ran">%s</p>' % ran]
    if links:
        top.append('<p class="cnnlab-links">%s</p>' % links)
    if found:
        top.append('<details open><summary>Contents</summary>%s</details>' % contents(found))
    top.append('</nav>')
    bottom = '<nav class="cnnlab-nav cnnlab-nav-end" aria-label="chapters"><p class="cnnlab-links">%s</p></nav>' % links if links else ''
    if '<main>' not in body or '</main>' not in body:
        return body
    body = body.replace('</head>', STYLE + '\n</head>', 1)
    body = body.replace('<main>', '<main>\n' + '\n'.join(top), 1)
    head, end, tail = body.rpartition('</main>')
    return head + bottom + end + tail
