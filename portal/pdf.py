"""PDFs with WeasyPrint, safely: the only resources a document may load are the allow-listed
files of portal/static/ below (SECURITY.md W8). Text people typed is escaped by Jinja, and
any URL it could smuggle in (file:, http:, data:) is refused by the fetcher.

WeasyPrint is imported on the first print (≈0.7 s), not when the portal starts. At most AT_ONCE
documents are laid out or written at once: a layout takes a core and tens of megabytes, so others
wait their turn (a batch print shows its progress meanwhile) rather than slow every page of the station.
Python's cyclic garbage collector runs rarely while a document is laid out and written (gc_paused).
"""
import contextlib
import ctypes
import functools
import gc
import io
import os
import threading

from flask import render_template, send_file

from .dates import local, utcnow
from .fields import clean_controls
from .settings import station_name

BASE_URL = "https://station.invalid/"  # a name that never resolves: every fetch goes through ours
ALLOWED = {"static/print.css": "text/css"}
AT_ONCE = 2  # documents rendered at the same time; the machine a station runs on has two cores
STATIC = os.path.join(os.path.dirname(__file__), "static")


@functools.cache
def fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StationFetcher(URLFetcher):
        """Serve the allow-listed static files from disk; refuse everything else."""

        def __init__(self):
            super().__init__(allowed_protocols=("https",), allow_redirects=False)
            self.requested = []  # every URL the document asked for (tests read it)

        def fetch(self, url, headers=None):
            self.requested.append(url)
            path = url[len(BASE_URL):] if url.startswith(BASE_URL) else None
            if path not in ALLOWED:
                raise ValueError("资源不在允许列表中：%s" % url[:80])
            with open(os.path.join(STATIC, os.path.basename(path)), "rb") as f:
                return URLFetcherResponse(url, body=f.read(), headers={"Content-Type": ALLOWED[path]})

    return StationFetcher


def new_fetcher():
    return fetcher_class()()


_local = threading.local()


def font_config():
    """The thread's own FontConfiguration, for documents kept past their turn (a merged batch, in its
    one background thread): fonts are found and loaded once, not on every print."""
    if not hasattr(_local, "fonts"):
        from weasyprint.text.fonts import FontConfiguration

        _local.fonts = FontConfiguration()
    return _local.fonts


_fonts = []  # the FontConfigurations of render()'s turns not in use: at most AT_ONCE are ever made


@contextlib.contextmanager
def turn_fonts():
    """A FontConfiguration for the turn being held, not shared while held. Each holds the CJK faces
    (tens of MB): one per rendering slot instead of one per server thread (8 threads kept 8 of them)."""
    with _count:
        fonts = _fonts.pop() if _fonts else None
    if fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
    try:
        yield fonts
    finally:
        with _count:
            _fonts.append(fonts)


_slots = threading.BoundedSemaphore(AT_ONCE)
_count = threading.Lock()
busy = {"now": 0, "most": 0}  # documents being rendered, and the most at once since start (the tests read it)


_paused = {"holds": 0, "thresholds": None}
RENDER_GC_THRESHOLD = 20_000  # allocations between two young collections while a document is made (Python: 700)


@contextlib.contextmanager
def gc_paused():
    """Rare garbage collection while WeasyPrint builds a document. A summary makes some 100,000 boxes,
    styles and glyph runs that all live until it is written: the collector, triggered every 700 of them,
    walked them and, every hundredth time, the whole server's heap (six full collections in nine summaries,
    a sixth of a summary's time) and found almost nothing. It still runs, thirty times less often, so the
    cycles other requests leave meanwhile are freed (turned off, the server grew by 100 MB in two minutes
    of two printers); the thresholds come back when the last render ends."""
    with _count:
        if not _paused["holds"]:
            _paused["thresholds"] = gc.get_threshold()
            gc.set_threshold(RENDER_GC_THRESHOLD, *_paused["thresholds"][1:])
        _paused["holds"] += 1
    try:
        yield
    finally:
        with _count:
            _paused["holds"] -= 1
            if not _paused["holds"]:
                gc.set_threshold(*_paused["thresholds"])


@contextlib.contextmanager
def turn():
    """Wait for one of the AT_ONCE rendering slots, and hold it while WeasyPrint works."""
    with _slots:
        with _count:
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
        try:
            with gc_paused():
                yield
        finally:
            with _count:
                busy["now"] -= 1


# WeasyPrint's default stylesheet gives every element six pseudo-elements, ::marker and the calls and
# markers of footnotes and notes, and each gets a computed style: on a summary's 300 table cells that was
# most of the style work. The papers have numbered lists but no footnotes: markers where list items are.
UA_RULES = {"::marker {": "li::marker {", "::footnote-call {": None, "::footnote-marker {": None,
            "::note-call {": None, "::note-marker {": None, "::note-callback {": None}


def station_ua(text):
    """WeasyPrint's html5_ua.css as the papers need it (UA_RULES: each rule narrowed or left out);
    ValueError when one of them is no longer there as it was."""
    lines, seen = [], set()
    for line in text.split("\n"):
        start = next((rule for rule in UA_RULES if line.startswith(rule)), None)
        if start is None:
            lines.append(line)
            continue
        seen.add(start)
        if UA_RULES[start]:
            lines.append(UA_RULES[start] + line[len(start):])
    if seen != set(UA_RULES):
        raise ValueError("WeasyPrint's stylesheet changed: %s" % ", ".join(sorted(set(UA_RULES) - seen)))
    return "\n".join(lines)


@functools.cache
def html_class():
    """WeasyPrint's HTML with the station's default stylesheet (WeasyPrint's own if it changed shape)."""
    from weasyprint import CSS, HTML
    from weasyprint.html import UA, UA_COUNTER_STYLE

    try:
        sheet = CSS(string=station_ua(UA), counter_style=UA_COUNTER_STYLE)
    except ValueError:
        return HTML

    class StationHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet] + super()._ua_stylesheets(forms)[1:]

    return StationHTML


class Paper(str):
    """The HTML of a printed paper (paper()): laid out with print.css, read and parsed once per process
    rather than fetched and parsed again for every print. Its rules weigh as they did when linked: the
    papers have no other stylesheet, and their style attributes still come first."""


@functools.cache
def paper_sheet():
    from weasyprint import CSS

    with open(os.path.join(STATIC, "print.css"), encoding="utf-8") as f:
        return CSS(string=f.read(), base_url=BASE_URL + "static/", url_fetcher=new_fetcher())


def _layout(html, fetcher, fonts):
    sheets = [paper_sheet()] if isinstance(html, Paper) else None
    return html_class()(string=html, base_url=BASE_URL, url_fetcher=fetcher or new_fetcher()).render(
        font_config=fonts, stylesheets=sheets)


def document(html, fetcher=None):
    """The laid-out pages of an HTML document (a Paper, or one that links /static/print.css), to be merged later."""
    with turn():
        return _layout(html, fetcher, font_config())


def render(html, fetcher=None):
    """The PDF of an HTML document as bytes, laid out and written in one turn with the turn's fonts."""
    try:
        with turn(), turn_fonts() as fonts:
            return _layout(html, fetcher, fonts).write_pdf()
    finally:
        give_back()


@functools.cache
def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


M_ARENA_MAX = -8  # glibc's mallopt() parameter


def limit_arenas(count=AT_ONCE):
    """At most `count` malloc arenas for the whole process (glibc makes up to 8 per core, one for each
    busy thread, each keeping what its thread freed). Called once at import, before the server's threads."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_ARENA_MAX, count)


def give_back():
    """Hand the memory a layout freed back to the system: glibc keeps it in the arena of each server
    thread that printed, so the server grew with every thread that ever laid out a document."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def paper(template, user, **context):
    """The HTML of a printed paper (a template extending pdf/base.html): the station's name and
    who printed it and when come with every one."""
    printed = "%s（%s）打印于 %s" % (user.display_name, user.role_label, local(utcnow()).strftime("%Y-%m-%d %H:%M"))
    return Paper(render_template(template, station=station_name(), printed=printed, **context))


def render_pdf(template, user, fetcher=None, **context):
    """The PDF bytes of a printed paper."""
    return render(paper(template, user, **context), fetcher)


def send_pdf(data, name):
    """A PDF as a download (never cached: web/security.py sends no-store with every answer); its name, made
    of stored text, holds no control character or line break (a name stored before the forms cleaned input)."""
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=clean_controls(name, False))


def merge(documents, target):
    """One PDF of several documents, each keeping its own page numbers, written to `target`."""
    pages = [page for doc in documents for page in doc.pages]
    with turn():
        documents[0].copy(pages).write_pdf(target)


limit_arenas()
