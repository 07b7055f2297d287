"""How a station list is sorted and paged: the columns it sorts by (a whitelist per list), the page size
(20/50/100) and the links that change them while keeping the filters. Everything lives in the URL
(`sort`, `dir`, `per`); an unknown column or size is ignored, never an error."""
from flask import current_app, url_for
from flask_login import current_user
from peewee import Asc, Desc
from peewee import Case as SqlCase

from ..models import User
from ..permissions import can

SIZES = (20, 50, 100)
PRINT_LIMIT = 2000  # rows on a printed list; the page says so when the list is longer


def by_choice(column, choices, missing=None):
    """Sort a coded column in the order its choices are listed (their meaning), not by the code; a value
    that is none of them (not yet assessed…) sorts last, or at `missing`."""
    return SqlCase(column, [(code, number) for number, code in enumerate(choices)],
                   len(choices) if missing is None else missing)


def user_name(column):
    """Sort a column naming an account by that account's display name."""
    return User.select(User.display_name).where(User.id == column)


class Sorting:
    """The columns one list sorts by (key -> (label, expression or tuple of them)), its default
    ((key, descending)) and its tie-break (the row's id)."""

    def __init__(self, columns, default, tiebreak, restricted=None):
        self.columns, self.default, self.tiebreak = columns, default, tiebreak
        self.restricted = restricted or {}  # key -> the permission that shows the column

    def allowed(self, key):
        """A column the user may sort by: one of the list's, and shown to them (a hidden column gives no order)."""
        return key in self.columns and (key not in self.restricted or can(current_user, self.restricted[key]))

    def chosen(self, args):
        """(key, descending) asked for in `args`, or the default when the key is not one of the list's."""
        key = args.get("sort")
        if not self.allowed(key):
            return self.default
        return key, args.get("dir") == "desc"

    def state(self, args):
        """The sort as the URL carries it: nothing for the default."""
        key = args.get("sort")
        if not self.allowed(key):
            return {}
        return {"sort": key, "dir": "desc" if args.get("dir") == "desc" else "asc"}

    def words(self, args):
        """The sort as the station reads it, e.g. 时间（降序）."""
        key, desc = self.chosen(args)
        return "%s（%s）" % (self.columns[key][0], "降序" if desc else "升序")

    def order(self, query, args):
        """The query ordered by the chosen column, ties broken by the row's id in the same direction."""
        key, desc = self.chosen(args)
        columns = self.columns[key][1] if isinstance(self.columns[key][1], tuple) else (self.columns[key][1],)
        return query.order_by(*[Desc(c) if desc else Asc(c) for c in columns + (self.tiebreak,)])


def page_size(args, default=None):
    """20, 50 or 100 rows as asked; anything else is the list's default (the station's page size)."""
    per = args.get("per", type=int)
    return per if per in SIZES else (default or current_app.config["PAGE_SIZE"])


class View:
    """What a list's template needs to draw its sortable headers, its page-size choice and its links."""

    def __init__(self, endpoint, filters, sorting, args, printing=False, per=None, **path):
        self.endpoint, self.path, self.printing, self.sorting = endpoint, path, printing, sorting
        self.sort, self.desc = sorting.chosen(args)
        self.per = page_size(args, per)
        per = {"per": self.per} if args.get("per", type=int) in SIZES else {}
        self.args = {**filters, **sorting.state(args), **per}  # every link of the list carries these

    def url(self, endpoint=None, **changes):
        """This list (or its export/print) with some of its state changed; back to the first page."""
        args = {k: v for k, v in {**self.args, **changes}.items() if v not in (None, "")}
        return url_for(endpoint or self.endpoint, **self.path, **args)

    def sortable(self, key):
        return not self.printing and self.sorting.allowed(key)

    def next_dir(self, key):
        """Clicking a header: the shown column flips direction, another starts ascending."""
        return "asc" if key == self.sort and self.desc else ("desc" if key == self.sort else "asc")

    def aria(self, key):
        if key != self.sort:
            return "none"
        return "descending" if self.desc else "ascending"
