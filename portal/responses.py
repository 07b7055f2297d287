"""HTMX fragments that still work without JavaScript: outside HTMX they come wrapped in a page."""
from flask import render_template, request


def render_fragment(template, title, status=200, **context):
    """The partial for an HTMX request; otherwise a full page around the same partial."""
    if request.headers.get("HX-Request"):
        return render_template(template, **context), status
    return render_template("fragment_page.html", fragment=template, title=title, **context), status
