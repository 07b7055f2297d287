"""How a view answers: the one place that tells a page from an HTMX fragment or a redirect.

- `fragment()`: the partial for HTMX; without JavaScript the same partial inside a page.
- `region()`: a page whose region HTMX swaps (search, filters, a period): HTMX gets the region only.
- `back()`: after a change made without HTMX, flash the messages and go back to the page.
- `htmx_redirect()`: a redirect that also navigates the whole page under HTMX.
- `list_page()`: one audited page of a station-wide list.
A failed inline form answers its partial with 422 (409 when someone else saved first);
htmx is configured to swap those two statuses in base.html.
"""
from datetime import date

from flask import flash, make_response, redirect, render_template, request

from .. import audit

from . import listing


def htmx():
    """Was this request made by htmx (and so wants a fragment, not a page)?"""
    return bool(request.headers.get("HX-Request"))


def fragment(template, title, status=200, **context):
    """The partial for an HTMX request; otherwise a full page around the same partial."""
    if htmx():
        return render_template(template, **context), status
    return render_template("fragment_page.html", fragment=template, title=title, **context), status


def region(page_template, part_template, status=200, **context):
    """The page, or for HTMX only the region the request swaps (the part is included by the page)."""
    return render_template(part_template if htmx() else page_template, **context), status


def back(location, *messages, category="warning"):
    """After a change made without HTMX: flash the messages and return to `location`."""
    for message in messages:
        flash(message, category)
    return redirect(location)


def htmx_redirect(location, status=302):
    """Redirect; an HTMX request gets HX-Redirect so the whole page navigates."""
    if htmx():
        response = make_response("", 401 if status == 401 else 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def list_page(query, filters, action, sorting):
    """One page of a station-wide list, as sorted, without counting every row; the read is audited
    with the filters used. `view` draws the sortable headers; `args` (filters, sort, page size) ride
    on every link of the list."""
    page = max(request.args.get("page", 1, type=int), 1)
    used = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    view = listing.View(request.endpoint, used, sorting, request.args)
    size = view.per
    rows = list(query.limit(size + 1).offset((page - 1) * size))
    audit.record(action, object_type=action.split(".")[0], detail={**used, "page": page,
                                                                           "shown": min(len(rows), size)})
    return {"rows": rows[:size], "more": len(rows) > size, "page": page, "filters": filters, "args": view.args,
            "view": view}
