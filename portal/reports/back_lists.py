"""The list a person page or a record was opened from as the user's work (今日待办, 我的心理疏导), carried as
`back`: the menu keeps that list marked, the page offers 返回…, and a save without JavaScript returns to it."""
from flask import request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..permissions import can

# The lists a person page is opened from as the user's work: the path they start with, the permission that
# shows them, the blueprint its menu link is marked by and its name (返回…).
BACK_LISTS = (("/queue/", "queue.read", "queue", "今日待办"),
              ("/caseload/", "counselling.caseload", "caseload", "我的心理疏导"))


def back_list():
    """The list (`back`: 今日待办 with its filters, page and row, or 我的心理疏导) a person page or a record
    was opened or saved from, as (path, blueprint, name); None unless it is a local path of a list the user
    may see."""
    try:
        back = request.values.get("back", "")
    except HTTPException:  # a body refused (413): the error page's navigation asks too, and must still render
        back = ""
    for prefix, permission, blueprint, name in BACK_LISTS:
        if back.startswith(prefix) and can(current_user, permission):
            return back, blueprint, name
    return None


def queue_back():
    """The path of the list (see back_list) to return to, or None."""
    found = back_list()
    return found[0] if found else None
