"""Duplicate person files: the warning while registering, the list of suspected pairs, the
side-by-side merge and the lead's undo. The rules are in duplicates.py."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import RadioField

from .. import audit, idcard
from ..dates import today
from ..models import Case, Person, PersonMerge, User
from ..permissions import load_person, may_open, requires
from . import duplicates
from .forms import ReasonForm

bp = Blueprint("merges", __name__)


def birth_of(number):
    """The birth date in a valid ID number, else None (the name alone is not enough to warn)."""
    try:
        return idcard.parse(number, today())[1]
    except idcard.InvalidIdNumber:
        return None


def warnings_for(name, id_number, birth_date=None):
    """Existing files a new registration may duplicate: by ID number, or by name and birth date."""
    number = idcard.normalize(id_number)
    birth = birth_of(number) or birth_date
    found = duplicates.duplicates_of((name or "").strip(), birth, number if len(number) == 18 else None)
    return [{"person": p, "same_id": p.id_number == number or p.anonymised_at is not None,
             "deleted": p.deleted_at is not None, "sealed": p.sealed_at is not None,
             "anonymised": p.anonymised_at is not None,
             "open": p.deleted_at is None and may_open(current_user, p),
             # outside the user's scope: masked like the search (name's first character, masked ID, no birth date)
             "masked": not may_open(current_user, p)} for p in found]


@bp.get("/persons/check")
@requires("persons.write")
def check():
    """HTMX fragment under the new-person form: who already has this ID number or name and birth date."""
    found = warnings_for(request.args.get("p-name"), request.args.get("p-id_number"),
                         parse_birth(request.args.get("p-birth_date")))
    if found:
        audit.record("person.duplicate_check", object_type="person",
                     detail={"found": [f["person"].id for f in found]})
    return render_template("merges/_warnings.html", found=found)


def parse_birth(raw):
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("/persons/duplicates")
@requires("persons.delete")
def index():
    """Suspected duplicates (same name and birth date) and the merges done so far."""
    pairs = duplicates.suspected_pairs()
    ids = {i for pair in pairs for i in pair.values()}
    persons = {p.id: p for p in Person.with_current_case().where(Person.id.in_(ids))} if ids else {}
    merges = list(PersonMerge.select().order_by(PersonMerge.id.desc()).limit(50))
    merged_ids = {m.survivor_id for m in merges} | {m.merged_id for m in merges}
    names = {p.id: p for p in Person.select().where(Person.id.in_(merged_ids))} if merged_ids else {}
    audit.record("person.list", object_type="person", detail={"duplicates": len(pairs)})
    return render_template("merges/index.html", pairs=[(persons[p["a"]], persons[p["b"]]) for p in pairs],
                           merges=merges, names=names, staff=User.names(), undo_form=ReasonForm(formdata=None))


@bp.get("/persons/<int:person_id>/merge")
@requires("persons.delete")
def choose(person_id):
    """Pick the duplicate to merge into this person: same name and birth date, or a search."""
    person = load_person(person_id)
    q = request.args.get("q", "").strip()[:40]
    candidates = duplicates.duplicates_of(person.name, person.birth_date, exclude=person.id)
    if q:
        candidates += [p for p in Person.select().where(Person.matching(q), Person.listed(),
                                                         Person.id != person.id).limit(20) if p not in candidates]
    audit.record("person.view", person, detail={"form": "merge", "q": bool(q)})
    return render_template("merges/choose.html", person=person, candidates=candidates, q=q)


class MergeForm(ReasonForm):
    pass


for _key, _label in duplicates.CHOSEN_FIELDS.items():
    setattr(MergeForm, _key, RadioField(_label, choices=[("survivor", "保留"), ("duplicate", "采用")],
                                        default="survivor"))


def counts(person):
    return {field.model.__name__.lower(): field.model.select().where(field == person.id).count()
            for field in duplicates.pointing_fields()}


@bp.route("/persons/<int:person_id>/merge/<int:other_id>", methods=["GET", "POST"])
@requires("persons.delete")
def compare(person_id, other_id):
    """Both files side by side; the survivor keeps its ID number and takes the values chosen."""
    survivor, duplicate = load_person(person_id), load_person(other_id)
    if survivor.id == duplicate.id:
        abort(404)
    form = MergeForm()
    drop = {int(i) for i in request.form.getlist("drop_case") if i.isdecimal()}  # repeated registrations
    if form.validate_on_submit():
        chosen = {key: form[key].data for key in duplicates.CHOSEN_FIELDS}
        try:
            duplicates.merge(survivor, duplicate, chosen, form.reason.data, current_user, drop_cases=drop)
        except duplicates.MergeRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash("已将 %s 的档案合并到本档案。站长可在“疑似重复档案”中撤销此次合并。" % duplicate.name, "success")
            return redirect(url_for("persons.show", person_id=survivor.id))
    if request.method == "GET":
        for person in (survivor, duplicate):
            audit.record("person.view", person, detail={"form": "merge"})
    kept, moved = [list(p.cases.where(Case.is_live()).order_by(Case.id)) for p in (survivor, duplicate)]
    if request.method == "GET":  # proposed: the same decision again, or a registration that never reported
        numbers = {c.decision_number for c in kept}
        drop = {c.id for c in moved if c.decision_number in numbers or (kept and c.status == "pending_report")}
    return render_template("merges/compare.html", survivor=survivor, duplicate=duplicate, form=form,
                           fields=duplicates.CHOSEN_FIELDS, counts=(counts(survivor), counts(duplicate)),
                           kept=kept, moved=moved, repeats=drop), 422 if request.method == "POST" else 200


@bp.post("/merges/<int:merge_id>/undo")
@requires("persons.restore")
def undo(merge_id):
    """The lead undoes a merge: every moved record goes back and the duplicate's file returns."""
    record = PersonMerge.get_or_none(PersonMerge.id == merge_id) or abort(404)
    form = ReasonForm()
    if not form.validate():
        flash("撤销合并需要填写事由：" + "；".join(form.reason.errors), "error")
        return redirect(url_for("merges.index"))
    try:
        duplicates.undo(record, form.reason.data, current_user)
    except duplicates.MergeRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("merges.index"))
    flash("已撤销合并，两份档案恢复原状。", "success")
    return redirect(url_for("persons.show", person_id=record.merged_id))
