"""操守保持率 (DOMAIN.md §6): the release cohort at a day, those of it followed up after release and those of
them with no relapse evidence since, as queries of person ids (`maintenance_queries`, for the indicators) or as
one query of each person's stage (`maintenance_stages`, for the monthly package)."""
from peewee import Case as CaseWhen
from peewee import Select, fn

from ..cases import after_release
from ..dates import add_months
from ..models import Case, CaseEvent, HomeVisit, Person, Screening, Talk
from ..permissions import case_scope


def three_years_before(as_of):
    """The day that splits the released: on or before it, three years clean (戒断三年); after it,
    the 操守保持率 cohort "released in (as_of − 3 years, as_of]". The two never overlap."""
    return add_months(as_of, -12 * after_release.CONTROL_YEARS)


def release_cohort(user, as_of):
    """Per person released (解除) in (as_of − 3 years, as_of]: the latest such release date."""
    return (CaseEvent.select(Case.person.alias("pid"), fn.MAX(CaseEvent.on).alias("released"))
            .join(Case, on=(CaseEvent.case == Case.id)).join(Person, on=(Case.person == Person.id))
            .where(CaseEvent.action == "release", CaseEvent.on > three_years_before(as_of), CaseEvent.on <= as_of,
                   Case.is_live(), Person.is_live(), case_scope(user))
            .group_by(Case.person))


def maintenance_parts(user, as_of):
    """The release cohort (per person, the latest release), its person column, and the conditions on each:
    followed up after release (a talk, a visit, a drug test or a later measure), a later measure, relapse
    evidence since release (a positive test, a police finding)."""
    cohort = release_cohort(user, as_of).alias("c")
    person, released = cohort.c.pid, cohort.c.released
    later = Case.alias()
    new_measure = fn.EXISTS(later.select(later.id).where(
        later.person == person, later.deleted_at.is_null(), later.decision_date > released,
        later.decision_date <= as_of))
    followed_up = new_measure | fn.EXISTS(Talk.select(Talk.id).where(
        Talk.person == person, Talk.is_live(), fn.date(Talk.held_at) > released,
        fn.date(Talk.held_at) <= as_of)) | fn.EXISTS(HomeVisit.select(HomeVisit.id).where(
            HomeVisit.person == person, HomeVisit.is_live(), HomeVisit.visited_on > released,
            HomeVisit.visited_on <= as_of)) | fn.EXISTS(Screening.select(Screening.id).where(
                Screening.person == person, Screening.is_live(), Screening.tested_on > released,
                Screening.tested_on <= as_of))  # 操守追踪 is testing: a test alone is a follow-up
    return cohort, person, followed_up, new_measure, after_release.sql_relapse_evidence(person, released, as_of)


def maintenance_queries(user, as_of):
    """The release cohort, those followed up after release, and those of them with no relapse evidence since
    (no positive test, no police finding, no later measure)."""
    cohort, person, followed_up, new_measure, positive = maintenance_parts(user, as_of)
    ids = Select([cohort], [person])
    in_cohort = Person.select(Person.id).where(Person.id.in_(ids))
    return (in_cohort, Person.select(Person.id).where(Person.id.in_(ids.where(followed_up))),
            Person.select(Person.id).where(Person.id.in_(ids.where(followed_up & ~new_measure & ~positive))))


def maintenance_stages(user, as_of):
    """Per person of the release cohort (`pid`), how far they are (`stage`): 0 lost to follow-up, 1 followed up
    (the denominator of 操守保持率), 2 followed up and clean (its numerator); the three sets of
    maintenance_queries in one query."""
    cohort, person, followed_up, new_measure, positive = maintenance_parts(user, as_of)
    stage = CaseWhen(None, [(followed_up & ~new_measure & ~positive, 2), (followed_up, 1)], 0)
    return Select([cohort], [person.alias("pid"), stage.alias("stage")])
