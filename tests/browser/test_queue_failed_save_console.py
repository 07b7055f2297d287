"""A talk form in 今日待办 saved twice with errors logs nothing to the console: htmx does not copy a style
attribute across the swap (a text box the user resized carries one), which the CSP would refuse."""
from playwright.sync_api import expect
from steps import log_in, open_form, watched_page

VIOLATIONS = ("window.__violations = [];"
              "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
              "e.violatedDirective + ' ' + (e.target && e.target.outerHTML || '').slice(0, 120)))")
REFUSED_ANSWER = "the server responded with a status of 422"  # the browser's own note of the form's answer


def test_a_failed_inline_save_twice_logs_no_console_error(browser, live_server):
    zhang = live_server.persons["张三"]
    with watched_page(browser, live_server, viewport={"width": 1366, "height": 900}) as page:
        console = []
        page.on("console", lambda message: message.type in ("error", "warning") and REFUSED_ANSWER not in message.text
                and console.append(message.text))
        page.add_init_script(VIOLATIONS)
        log_in(page)
        page.goto("/queue/")
        row = page.locator("#q-talk-%d-item" % zhang.id)
        form = open_form(row.get_by_role("link", name="记录谈话"), row)
        for attempt in range(2):
            box = form.get_by_label("发现的风险因素")
            box.fill("近期情绪低落")
            box.evaluate("box => { box.style.height = '8em'; }")  # what dragging its corner leaves
            with page.expect_response(lambda response: response.status == 422):
                form.get_by_role("button", name="保存").click()
            expect(row.get_by_role("alert").first).to_contain_text("处需要修改")
            expect(form.get_by_label("发现的风险因素")).to_have_value("近期情绪低落")
            page.wait_for_timeout(200)  # htmx settles the swapped attributes after 20 ms
        assert page.evaluate("window.__violations") == []
        assert console == [], console
