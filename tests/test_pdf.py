"""PDFs (portal/pdf.py): the default stylesheet papers are laid out with, and rare garbage collection while
a document is made. PDFs are read back with pdftotext."""
import gc
import subprocess
import threading

import pytest

from portal import pdf

NOTES = ("::footnote-call {", "::footnote-marker {", "::note-call {", "::note-marker {", "::note-callback {")


def text_of_pdf(data):
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout \
        .decode("utf-8")


def test_the_default_stylesheet_gives_markers_to_list_items_only_and_has_no_notes():
    from weasyprint.html import UA

    text = pdf.station_ua(UA)
    assert "\n::marker {" in UA and "\n::marker {" not in text and "\nli::marker {" in text
    for rule in NOTES:
        assert rule in UA and rule not in text
    assert len(UA.split("\n")) - len(text.split("\n")) == len(NOTES)  # nothing else left out
    # WeasyPrint's stylesheet without one of these rules as it was: refused, and WeasyPrint's own is used
    with pytest.raises(ValueError, match="::note-callback"):
        pdf.station_ua(UA.replace("::note-callback {", "::note-back {"))


def test_lists_keep_their_numbers_and_bullets():
    html = ("<html lang='zh-CN'><body><ol><li>遵守法律法规</li><li>按约定参加谈话</li></ol>"
            "<ul><li>定期接受检测</li></ul></body></html>")
    text = text_of_pdf(pdf.render(html))
    assert "1. 遵守法律法规" in text and "2. 按约定参加谈话" in text and "• 定期接受检测" in text
    assert pdf.html_class().__name__ == "StationHTML"  # the station's stylesheet was the one used


def watching_fetcher(seen):
    """A station fetcher that notes the collector's first threshold when the stylesheet is fetched (mid-layout)."""
    class Watching(pdf.fetcher_class()):
        def fetch(self, url, headers=None):
            seen.append(gc.get_threshold()[0])
            return super().fetch(url, headers)

    return Watching()


PAPER = ("<html lang='zh-CN'><head><link rel='stylesheet' href='/static/print.css'></head><body>"
         + "<p>社区戒毒人员操守保持情况良好。</p>" * 200 + "</body></html>")


def test_garbage_is_collected_rarely_while_documents_are_made_and_as_before_after():
    before = gc.get_threshold()
    seen = []
    made = []
    threads = [threading.Thread(target=lambda: made.append(pdf.render(PAPER, watching_fetcher(seen))))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 4 and all(data.startswith(b"%PDF") for data in made)
    assert seen == [pdf.RENDER_GC_THRESHOLD] * 4 and gc.isenabled() and gc.get_threshold() == before


def test_thresholds_set_elsewhere_come_back():
    before = gc.get_threshold()
    seen = []
    gc.set_threshold(1234, 5, 6)
    try:
        assert pdf.render(PAPER, watching_fetcher(seen)).startswith(b"%PDF")
        assert seen == [pdf.RENDER_GC_THRESHOLD] and gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*before)
