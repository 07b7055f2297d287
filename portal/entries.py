"""What talks, home visits and risk assessments share: each is opened in the person's scope,
saved into the timeline, corrected inline with a version check (earlier versions kept), and
soft-deleted with a reason. Every read and change is audited as "<kind>.<action>"."""
from dataclasses import dataclass
from datetime import date
from typing import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit
from .records import risk_levels, timeline
from .tracking import views as tracking
from .dates import utcnow
from .db import database
from .responses import render_fragment
from .permissions import load_person
from .persons.forms import ReasonForm
from .versions import history, save_versioned


@dataclass(frozen=True)
class Kind:
    name: str  # audit prefix and DOM id prefix: "talk"
    model: type
    form: type
    blueprint: str  # "talks": also the template folder
    title: str  # "谈话记录"
    author: str  # the field that records who entered it
    blank: Callable  # person -> an empty form with sensible defaults
    attach: Callable = None  # person -> values the entry takes from the case, or raises Refused
    follow_up: Callable = None  # entry -> messages, after each save (breaches, incidents, risk)

    def template(self, part):
        return "%s/_%s.html" % (self.blueprint, part)


class Refused(ValueError):
    """The entry cannot be recorded for this person; the message says why, in Chinese."""


def list_page(query, filters, action):
    """One page of a station-wide list, newest first as ordered, without counting every row;
    the read is audited with the filters used."""
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    rows = list(query.limit(size + 1).offset((page - 1) * size))
    used = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    audit.record_or_abort(action, object_type=action.split(".")[0], detail={**used, "page": page,
                                                                           "shown": min(len(rows), size)})
    return {"rows": rows[:size], "more": len(rows) > size, "page": page, "filters": filters, "args": used}


def htmx():
    return bool(request.headers.get("HX-Request"))


def load(kind, entry_id):
    """A live entry of a person the user may open; 404 otherwise."""
    entry = kind.model.get_or_none(kind.model.id == entry_id, kind.model.deleted_at.is_null()) or abort(404)
    return entry, load_person(entry.person_id)


def render_form(kind, person, form, status=200, entry=None, conflict=None):
    return render_fragment(kind.template("form"), kind.title, status, person=person, form=form, entry=entry,
                           conflict=conflict)


def new(kind, person_id):
    """The empty inline form, opened on the person page."""
    person = load_person(person_id)
    return render_form(kind, person, kind.blank(person))


def create(kind, person_id):
    """Save a new entry: it appears at the top of the timeline, or the form returns with its errors."""
    person = load_person(person_id)
    form = kind.form()
    if not form.validate():
        return render_form(kind, person, form, 422)
    try:
        attached = kind.attach(person) if kind.attach else {}
    except Refused as refusal:
        form.form_errors.append(str(refusal))
        return render_form(kind, person, form, 422)
    with database.atomic():
        entry = kind.model.create(person=person, **{kind.author: current_user.id}, **attached, **form.values())
        audit.record_or_abort(kind.name + ".create", entry, person=person)
        warnings = kind.follow_up(entry) if kind.follow_up else []
    message = "%s已保存" % kind.title
    if not htmx():
        flash(message + "。", "success")
        for warning in warnings:
            flash(warning, "warning")
        return redirect(url_for("persons.show", person_id=person.id))
    items, more = timeline.entries(person.id)
    return render_template("timeline/saved.html", message=message + "，已加入下方工作记录。", person=person,
                           items=items, more=more, page=1, risk=risk_levels.current(person.id), warnings=warnings,
                           tracking=tracking.file_for(person) if kind.follow_up else None)


def show(kind, entry_id):
    """One entry with its earlier versions (also what "取消" of a correction returns to)."""
    entry, person = load(kind, entry_id)
    audit.record_or_abort(kind.name + ".view", entry, person=person)
    return render_fragment(kind.template("entry"), kind.title, person=person, item=entry,
                           revisions=list(history(entry)))


def edit(kind, entry_id):
    """Correct an entry inline, version-checked; the earlier version is kept."""
    entry, person = load(kind, entry_id)
    form = kind.form()
    if request.method == "GET":
        form.fill(entry)
        audit.record_or_abort(kind.name + ".view", entry, person=person, detail={"form": "edit"})
        return render_form(kind, person, form, entry=entry)
    if not form.validate():
        return render_form(kind, person, form, 422, entry=entry)
    conflict = save_versioned(entry, form, form.values(), kind.name + ".update", person)
    if conflict:
        return render_form(kind, person, form, 409, entry=entry, conflict=conflict)
    entry = kind.model.get_by_id(entry.id)
    with database.atomic():
        warnings = kind.follow_up(entry) if kind.follow_up else []
    if not htmx():
        for warning in warnings:
            flash(warning, "warning")
        return redirect(url_for("persons.show", person_id=person.id))
    return render_template(kind.template("entry"), person=person, item=entry, warnings=warnings)


def delete(kind, entry_id):
    """Soft-delete an entry with a reason; it leaves the timeline, the audit keeps the trace."""
    entry, person = load(kind, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record_or_abort(kind.name + ".view", entry, person=person, detail={"form": "delete"})
        return render_template(kind.template("entry"), person=person, item=entry, reason_form=form), 422
    with database.atomic():
        kind.model.update(deleted_at=utcnow(), version=kind.model.version + 1).where(
            kind.model.id == entry.id).execute()
        audit.record_or_abort(kind.name + ".delete", entry, person=person, reason=form.reason.data)
    if not htmx():
        return redirect(url_for("persons.show", person_id=person.id))
    return render_template("timeline/deleted.html", title=kind.title)
