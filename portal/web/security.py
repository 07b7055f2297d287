"""Response headers, error pages and the HTMX-aware redirect (SECURITY.md W1-W4, D6)."""
import errno
import logging
import secrets
import sqlite3

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from peewee import PeeweeException
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .. import audit
from ..audit import AuditUnavailable

log = logging.getLogger("portal")

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
MESSAGES = {
    400: ("请求无效", "页面已过期或请求不完整，请返回上一页刷新后重试。"),
    401: ("请先登录", "登录已超时或尚未登录，请重新登录。"),
    403: ("无权访问", "您的账户角色无权进行此操作。如需访问，请联系站长。"),
    404: ("未找到", "您要找的页面或记录不存在，或不在您的工作范围内。"),
    405: ("操作方式不正确", "此页面不支持这种操作方式，请通过页面上的按钮操作。"),
    409: ("情况已变化", "此事项刚刚已由他人办理或已发生变化，请返回档案刷新后查看。"),
    413: ("文件过大", "上传的内容超过了大小限制。请返回上一页，换用较小的文件（如降低扫描分辨率）后重新上传。"),
    422: ("填写有误", "提交的内容有误，请按提示修改。"),
    429: ("操作过于频繁", "操作过于频繁，请稍后再试。"),
    500: ("系统错误", "系统出现了意外错误，已记录。请把下面的事件编号告诉管理员。"),
    503: ("暂时无法处理", "系统暂时无法保存或记录此操作（如磁盘已满、只读维护或审计日志不可写），"
                        "本次操作未生效。请稍后重试或联系站长。"),
}

UNAVAILABLE = (  # what SQLite says, in the order tried
    ("full", ("database or disk is full", "disk is full", "no space left")),
    ("readonly", ("readonly database", "read-only", "readonly")),
    ("locked", ("database is locked", "database table is locked", "database is busy")),
    ("io", ("disk i/o error", "unable to open database")),
)
OS_ERRORS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "readonly"}
NOT_SAVED = "本次操作没有保存任何内容。"
NOT_OPENED = "此页面暂时无法打开（您只是查看，没有改动任何内容）。"
UNAVAILABLE_MESSAGES = {  # kind: (what happened, what a write adds before NOT_SAVED, what to do)
    "full": ("磁盘已满，", "系统暂时无法保存。", "请联系站长清理磁盘后再试。"),
    "readonly": ("系统只读维护中，", "暂时不能保存。", "请稍后重试。"),
    "locked": ("系统正忙（其他用户正在保存大量数据），", "", "请稍后重试。"),
    "io": ("数据库暂时无法读写（磁盘故障），", "", "请联系站长。"),
    "audit": ("审计日志暂时无法写入，按规定本次操作不能进行。", "", "请稍后重试或联系站长。"),
}


def unavailable_message(kind, write):
    """The 503's text: a write says nothing was saved, a read (GET, HEAD) that the page could not be opened."""
    cause, not_saving, advice = UNAVAILABLE_MESSAGES[kind]
    return cause + (not_saving + NOT_SAVED if write else NOT_OPENED) + advice


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id beyond SQLite's integers is no record (404), never an OverflowError."""

    def __init__(self, map, fixed_digits=0, min=None, max=2 ** 63 - 1, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app):
    """Before the blueprints: their routes are built with the converter."""
    app.url_map.converters["int"] = IdConverter
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(AuditUnavailable, _database_error)
    app.register_error_handler(PeeweeException, _database_error)
    app.register_error_handler(sqlite3.Error, _database_error)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(Exception, _unexpected)


def error_page(code, incident=None, message=None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    text = message or text
    if current_app.config["INSTANCE"] == "province":  # the bureau's staff ask its administrator, not a lead
        text = text.replace("站长", "省局系统管理员")
    return render_template("error.html", code=code, title=title, text=text,
                           incident=incident), code


def _headers(response):
    response.headers.update(HEADERS)
    if request.endpoint != "static":
        if response.headers.get("Cache-Control") != "private, no-store":  # a download's stricter value stays
            response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _http_error(exc):
    if exc.code == 403 and current_user.is_authenticated:
        try:
            audit.record("access_denied", outcome="denied", detail={"path": request.path})
        except audit.AuditUnavailable:
            pass  # refusing is already the safe outcome
    return error_page(exc.code or 500)


def _csrf_error(exc):
    return error_page(400, message="表单已过期或缺少安全令牌，请刷新页面后重新提交。您填写的内容如未保存，请先复制。")


def unavailable(exc):
    """Why the database could not do its part ("full", "readonly", "locked", "io"), or None.

    The whole chain is read: when a COMMIT fails on a full disk, SQLite has already rolled back
    and the ORM's own ROLLBACK then raises "cannot rollback - no transaction is active", with
    the real cause only in its context."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in OS_ERRORS:
            return OS_ERRORS[exc.errno]
        if isinstance(exc, (sqlite3.Error, PeeweeException, AuditUnavailable)):
            text = str(exc).lower()
            for kind, needles in UNAVAILABLE:
                if any(needle in text for needle in needles):
                    return kind
        exc = exc.__cause__ or exc.__context__
    return None


def _database_error(exc):
    kind = unavailable(exc)
    if kind is None and isinstance(exc, AuditUnavailable):
        kind = "audit"
    if kind is None:
        return _unexpected(exc)
    log.warning("database unavailable (%s): %s", kind, exc)
    return error_page(503, message=unavailable_message(kind, request.method not in ("GET", "HEAD")))


def _out_of_range(exc):
    """A number too large for the database, from wherever it came (a query argument, a hidden field):
    no such record on a read, a refused input on a write."""
    log.warning("number out of range on %s: %s", request.path, exc)
    if request.method == "GET":
        return error_page(404)
    return error_page(422, message="所填的数字超出了范围，本次操作没有保存任何内容。请返回检查后重试。")


def _unexpected(exc):
    if unavailable(exc):  # e.g. a full disk surfacing through another library's exception
        return _database_error(exc)
    incident = secrets.token_hex(4).upper()
    log.exception("incident %s", incident)
    return error_page(500, incident=incident)
