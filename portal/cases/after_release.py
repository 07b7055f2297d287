"""After the measure: the notice of a release to the street office (戒毒条例 23, 40), relapse
evidence (a positive test, a police finding) and the end of dynamic control (解除动态管控) three
years after the release that ended a person's last measure, with no relapse evidence since.
Each rule is written in Python and in SQL, tested to agree.
"""
from datetime import timedelta

from peewee import fn

from .. import audit
from ..dates import END_OF_TIME, add_months, today, utcnow
from ..db import database
from ..models import Case, CaseEvent, Person, RelapseFinding, ReleaseNotice, Screening
from .lifecycle import ENDING, recorded_since, sql_recorded_since
from .running_time import sql_ended_on

CONTROL_YEARS = 3  # dynamic control (动态管控) ends three years after the last release without relapse
NOTICE_DAYS = 7  # 戒毒条例 23, 40: the street or township office is told of a release within 7 days


def released_on(case):
    """The date the case was released (期满解除), or None."""
    return CaseEvent.select(fn.MIN(CaseEvent.on)).where(CaseEvent.case == case.id, CaseEvent.action == "release").scalar()


def notice_deadline(case):
    """The last day to tell the street office of the case's release, while no notice is recorded;
    None when there is nothing to notify (not released, released before notices began, or sent)."""
    released = released_on(case)
    if released is None or released < recorded_since("release_notice.since") or \
            ReleaseNotice.select().where(ReleaseNotice.case == case.id).exists():
        return None
    return released + timedelta(days=NOTICE_DAYS)


def sql_notice_deadline(model=Case):
    """notice_deadline() in SQL, for the queue."""
    release = CaseEvent.alias()
    released = release.select(fn.MIN(release.on)).where(release.case == model.id, release.action == "release")
    unsent = ~fn.EXISTS(ReleaseNotice.select(ReleaseNotice.id).where(ReleaseNotice.case == model.id))
    return fn.IIF(unsent & (released >= sql_recorded_since("release_notice.since")),
                  fn.date(released, "+%d days" % NOTICE_DAYS), None)


def relapse_evidence(person_id, after, until):
    """Is there relapse evidence for the person in (after, until]?"""
    tests = Screening.live().where(Screening.person == person_id, Screening.result == "positive",
                                   Screening.tested_on > after, Screening.tested_on <= until)
    found = RelapseFinding.live().where(RelapseFinding.person == person_id, RelapseFinding.found_on > after,
                                        RelapseFinding.found_on <= until)
    return tests.exists() or found.exists()


def sql_relapse_evidence(person, after, until):
    """relapse_evidence() in SQL, for the person in the column `person`."""
    return fn.EXISTS(Screening.select(Screening.id).where(
        Screening.person == person, Screening.result == "positive", Screening.is_live(),
        Screening.tested_on > after, Screening.tested_on <= until)) | fn.EXISTS(
        RelapseFinding.select(RelapseFinding.id).where(
            RelapseFinding.person == person, RelapseFinding.is_live(), RelapseFinding.found_on > after,
            RelapseFinding.found_on <= until))


def control_ends_on(person, as_of=None):
    """The day the person's dynamic control ends (or ended): three years after the release that ended
    their last measure; None while a measure runs, when the last one ended otherwise (终止, 转强戒 …)
    or when there is relapse evidence since that release."""
    as_of = as_of or today()
    ends = []
    for case in Case.live().where(Case.person == person.id, Case.served_date <= as_of):
        event = (CaseEvent.select().where(CaseEvent.case == case.id, CaseEvent.action.in_(ENDING))
                 .order_by(CaseEvent.on, CaseEvent.id).first())
        if event is None:
            return None  # a measure still runs
        ends.append((event.on, event.action))
    if not ends:
        return None
    released, action = max(ends)
    if action != "release" or relapse_evidence(person.id, released, as_of):
        return None
    return add_months(released, 12 * CONTROL_YEARS)


def sql_control_ended(as_of):
    """control_ends_on(person) <= as_of in SQL, as a condition on the Case whose release ended the
    person's last measure (no other measure of theirs ran later, whatever order they were entered in)."""
    release = CaseEvent.alias()
    released = release.select(fn.MIN(release.on)).where(release.case == Case.id, release.action == "release")
    other = Case.alias()
    later_measure = fn.EXISTS(other.select(other.id).where(
        other.person == Case.person, other.id != Case.id, other.deleted_at.is_null(), other.served_date <= as_of,
        fn.COALESCE(sql_ended_on(other.id), END_OF_TIME) > released))
    return ((released <= add_months(as_of, -12 * CONTROL_YEARS)) & ~later_measure
            & ~sql_relapse_evidence(Case.person, released, as_of))


def seal_ended(as_of=None):
    """Seal (封存, persons/sealing.py) the live files whose dynamic control has ended by `as_of`;
    returns how many. Run by `flask --app portal sweep` (at start-up and daily), as the station."""
    as_of = as_of or today()
    ended = Case.select(Case.person).where(Case.is_live(), sql_control_ended(as_of))
    due = list(Person.select(Person.id).where(Person.is_live(), Person.sealed_at.is_null(), Person.id.in_(ended)))
    for person in due:
        with database.atomic():
            Person.update(sealed_at=utcnow(), version=Person.version + 1).where(Person.id == person.id).execute()
            audit.record("person.seal", person, user=None, detail={"as_of": as_of.isoformat()})
    return len(due)
