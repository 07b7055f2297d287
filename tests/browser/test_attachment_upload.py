"""Uploading a scan through the person page, in Chromium with CSRF on."""
import pytest
from playwright.sync_api import expect
from steps import log_in, open_person

from portal import pdf


@pytest.fixture(scope="module")
def scan_pdf():
    """A real PDF, rendered by the portal's own WeasyPrint setup."""
    return pdf.render('<html lang="zh-CN"><body><h1>社区戒毒决定书</h1><p>扫描件（测试）</p></body></html>')


def test_uploading_through_the_person_page_in_chromium(page, live_server, scan_pdf):
    """A real browser with CSRF on: pick a kind, a title and a file; the list shows it; the link downloads it."""
    log_in(page)
    open_person(page, live_server.persons["张三"])
    section = page.locator("#attachments")
    section.scroll_into_view_if_needed()  # the section loads when it comes into view
    expect(section.get_by_role("heading", name="附件（扫描件、照片）")).to_be_visible()
    section.get_by_label("类别").select_option(label="社区戒毒/康复协议")
    section.get_by_label("标题").fill("协议签字页")
    section.get_by_label("文件").set_input_files(
        {"name": "协议.pdf", "mimeType": "application/pdf", "buffer": scan_pdf})
    section.get_by_role("button", name="上传").click()
    expect(page.locator(".flash-success")).to_contain_text("附件已上传")
    link = page.locator("#attachments").get_by_role("link", name="协议签字页")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as f:
        assert f.read() == scan_pdf
