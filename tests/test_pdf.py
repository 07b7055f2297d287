"""PDFs (portal/pdf.py): the default stylesheet papers are laid out with, and no garbage collection while
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
    """A station fetcher that notes whether the collector runs when the stylesheet is fetched (mid-layout)."""
    class Watching(pdf.fetcher_class()):
        def fetch(self, url, headers=None):
            seen.append(gc.isenabled())
            return super().fetch(url, headers)

    return Watching()


PAPER = ("<html lang='zh-CN'><head><link rel='stylesheet' href='/static/print.css'></head><body>"
         + "<p>社区戒毒人员操守保持情况良好。</p>" * 200 + "</body></html>")


def test_no_garbage_collection_while_documents_are_made_and_back_after():
    assert gc.isenabled()
    seen = []
    made = []
    threads = [threading.Thread(target=lambda: made.append(pdf.render(PAPER, watching_fetcher(seen))))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 4 and all(data.startswith(b"%PDF") for data in made)
    assert seen == [False] * 4 and gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off():
    seen = []
    gc.disable()
    try:
        assert pdf.render(PAPER, watching_fetcher(seen)).startswith(b"%PDF")
        assert seen == [False] and not gc.isenabled()
    finally:
        gc.enable()
