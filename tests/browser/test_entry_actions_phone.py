"""A record's 更正 and 删除 on a phone (390 px): with the delete prompt open, 更正 stays one line and the
reason box fits the card."""
from factories import make_talk
from playwright.sync_api import expect
from steps import log_in, watched_page
from test_phone import PHONE, assert_fits


def test_the_delete_prompt_leaves_the_correct_link_on_one_line(browser, live_server):
    zhang = live_server.persons["张三"]
    make_talk(zhang, live_server.worker)
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page)
        page.goto("/persons/%d#records" % zhang.id)
        actions = page.locator(".entry-actions").first
        actions.locator("summary", has_text="删除").click()
        reason = actions.get_by_label("删除事由")
        expect(reason).to_be_visible()
        link = actions.get_by_role("link", name="更正").bounding_box()
        summary = actions.locator("summary").bounding_box()
        assert link["width"] > link["height"] and link["height"] <= summary["height"] * 1.5, link  # not 更/正
        box, card = reason.bounding_box(), actions.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"] + 1, (box, card)
        assert_fits(page)
