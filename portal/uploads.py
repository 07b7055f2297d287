"""Uploaded files (SECURITY.md W11): the type by the first bytes, never by the name or the browser's
claim; random names in `uploads/` beside the database, never under static/; served as attachments."""
import contextlib
import os
import re
import secrets

from flask import current_app, send_file

from .models import ATTACHMENT_TYPES as SUFFIXES

SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
IMAGES = ("image/jpeg", "image/png")
NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
MB = 1024 * 1024


def directory(sub=""):
    """uploads/ (or a folder in it) beside the database file, created on first use."""
    path = os.path.join(os.path.dirname(current_app.config["DATABASE"]), "uploads", sub)
    os.makedirs(path, exist_ok=True)
    return path


def file_type(head, allowed=tuple(SUFFIXES)):
    """The MIME type of one of the `allowed` types that the content starts with, or None."""
    return next((mime for signature, mime in SIGNATURES.items() if head.startswith(signature) and mime in allowed),
                None)


def read(upload_file, limit):
    """At most limit + 1 bytes of an uploaded file (enough to tell it is too large), b"" for none."""
    return upload_file.read(limit + 1) if upload_file else b""


def check(data, limit, allowed=tuple(SUFFIXES), what="文件"):
    """The type of an upload by its content, and the Chinese reason it is refused (None if it is not)."""
    mime = file_type(data[:8], allowed)
    if not data:
        return None, "请选择要上传的%s。" % what
    if len(data) > limit:
        return None, "%s不能超过 %d MB。" % (what, limit // MB)
    if mime is None:
        names = [NAMES[m] for m in allowed]
        kinds = "、".join(names[:-1]) + " 或 " + names[-1]
        return None, "只能上传 %s %s（按文件内容识别，改扩展名无效）。" % (kinds, what)
    return mime, None


def store(data, mime, sub=""):
    """Write data under a new random name, flushed to disk before it is recorded; returns the name."""
    name = secrets.token_hex(16) + SUFFIXES[mime]
    folder = directory(sub)
    with open(os.path.join(folder, name), "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # the new directory entry too (a station PC has no UPS)
    finally:
        os.close(fd)
    return name


@contextlib.contextmanager
def stored(data, mime, sub=""):
    """Store the file for a block that records it; if the block fails (database, audit), remove it again."""
    name = store(data, mime, sub)
    try:
        yield name
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(directory(sub), name))
        raise


def client_name(upload):
    """The file name the browser sent, without folders or control characters (shown, never used as a path)."""
    name = re.split(r"[\\/]", (upload.filename or "") if upload else "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120]


def send(name, mime, download_name, sub=""):
    """The file as a download with its stored type: never sniffed, never run as a page, never cached."""
    response = send_file(os.path.join(directory(sub), name), mimetype=mime, as_attachment=True,
                         download_name=download_name, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"  # kept by web/security.py; nosniff is set there
    return response
