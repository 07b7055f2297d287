"""The person page: a cheap shell (基本信息, the record bar, an in-page navigation) and its other
sections (操守追踪, 工作记录, 心理疏导, 帮扶, 附件), each its own audited fragment loaded when shown."""
from flask import abort, flash, get_flashed_messages, render_template, request
from flask_login import current_user

from .. import audit
from ..care import counselling
from ..cases import after_release
from ..dates import today
from ..models import AssistanceCase, User
from ..permissions import can, load_person, requires
from ..records import risk_levels, risks, talks, timeline, visits
from ..reports import back_lists
from ..web.responses import fragment
from ..tracking import absences, findings, screenings
from ..tracking import views as tracking
from . import attachments
from .views import bp

# name -> (navigation label, who may see it); the page's sections in the order they are shown
SECTIONS = {
    "tracking": ("操守追踪", "persons.read"),
    "timeline": ("工作记录", "records.read"),
    "counselling": ("心理疏导", "counselling.read"),
    "assistance": ("帮扶", "records.read"),
    "attachments": ("附件", "persons.full"),
}
EAGER = ("tracking", "timeline")  # the case's record, what the page is opened for: loaded at once, the rest in view


@bp.get("/<int:person_id>")
@requires("persons.read")
def show(person_id):
    """A person's file (a counsellor sees a summary); reading it is audited."""
    person = load_person(person_id)
    audit.record("person.view", person)
    return render_show(person)


def render_show(person, family_form=None, status=200):
    """The shell of the person page; the family partial's failed no-JavaScript submit comes back here too."""
    keep_section_messages()
    record_form, record_template = opened_record_form(person)
    case = person.current_case()
    return render_template("persons/show.html", person=person, case=case, flags={},
                           control=after_release.control_ends_on(person) if case and not case.in_force else None,
                           today=today(), family=list(person.live_family()), staff=User.names(),
                           risk=risk_levels.current(person.id), counts=counts_of(person),
                           sections=[(name, label) for name, (label, right) in SECTIONS.items()
                                     if can(current_user, right)], eager=EAGER,
                           record_form=record_form, record_template=record_template,
                           form=family_form, back=back_lists.back_list()), status


def keep_section_messages():
    """A section's own messages (category "<section>-<kind>") wait for that section's fragment."""
    for category, message in get_flashed_messages(with_categories=True):
        if "-" in category:
            flash(message, category)


def counts_of(person):
    """The figures the in-page navigation shows, swapped out of band after a save."""
    counts = {"timeline": timeline.count(person.id)}
    if can(current_user, "counselling.read"):
        counts["counselling"] = counselling.count(person)
    return counts


def saved_answer(answer, person, **context):
    """A save made on the person page answers with what changed: `answer` (its message and the new entry)
    and the page's counters, out of band (persons/_counters.html); the header's breach badges come with
    the tracking file, which reloads itself when a save changes it."""
    return render_template(answer, person=person, risk=risk_levels.current(person.id), counts=counts_of(person),
                           **context)


def opened_record_form(person):
    """?record=talk|visit|risk opens that form on arrival (links from the due-work queue)."""
    record = request.args.get("record")
    module = {"talk": talks, "visit": visits, "risk": risks, "screening": screenings, "hair": screenings,
              "absence": absences, "finding": findings}.get(record)
    if module is None or not can(current_user, "records.write"):
        return None, None
    form = module.blank(person)
    if record == "hair":  # from the queue's 毛发检测: a laboratory hair test
        form.sample.data, form.kind.data = "hair", "lab"
    return form, "%s/_form.html" % module.bp.name


@bp.get("/<int:person_id>/sections/<name>")
@requires("persons.read")
def section(person_id, name):
    """One section of the person page, loaded when it comes into view (or as a page without JavaScript)."""
    if name not in SECTIONS:
        abort(404)
    label, right = SECTIONS[name]
    if not can(current_user, right):
        abort(403)
    person = load_person(person_id)
    audit.record("person.view", person, detail={"section": name})
    template, context = SECTION_PARTS[name](person)
    return fragment(template, "%s · %s" % (person.name, label), **context)


def tracking_part(person):
    return "tracking/_file.html", {"person": person, "tracking": tracking.file_for(person)}


def timeline_part(person):
    items, more = timeline.entries(person.id)
    return "timeline/_section.html", {"person": person, "items": items, "more": more, "page": 1}


def counselling_part(person):
    return "counselling/_section.html", {"person": person, "sessions": counselling.sessions_of(person)}


def assistance_part(person):
    cases = AssistanceCase.select().where(AssistanceCase.person == person.id, AssistanceCase.is_live()) \
        .order_by(AssistanceCase.opened_on.desc(), AssistanceCase.id.desc())
    return "persons/_assistance.html", {"person": person, "cases": list(cases)}


def attachments_part(person):
    return "attachments/_section.html", {"person": person, "attachments": attachments.section(person),
                                         "staff": User.names()}


SECTION_PARTS = {"tracking": tracking_part, "timeline": timeline_part, "counselling": counselling_part,
                 "assistance": assistance_part, "attachments": attachments_part}
