"""The current case stored on the case (migration 0026): after every write that can move it, exactly the
person's newest live case carries `current`, whatever code wrote."""
from datetime import date

from factories import in_app, make_person

from portal.models import Case, Person
from portal.persons import duplicates


def newest_live(person_id):
    """The rule, computed in Python: the id of the person's newest live case, or None."""
    ids = [c.id for c in Case.select().where(Case.person == person_id, Case.deleted_at.is_null())]
    return max(ids) if ids else None


@in_app
def flags_follow_the_rule():
    """Every case is current exactly when it is its person's newest live case."""
    wrong = [(c.id, c.person_id, c.current) for c in Case.select() if c.current != (c.id == newest_live(c.person_id))]
    assert wrong == []
    return {c.person_id: c.id for c in Case.select().where(Case.is_current())}


@in_app
def add_case(person, **values):
    fields = dict(measure="community_rehab", decision_number="新决定书", decision_date=date(2026, 6, 1),
                  served_date=date(2026, 6, 2), report_date=date(2026, 6, 3), term_months=36, street="中华路街道",
                  status="active")
    fields.update(values)
    return Case.create(person=person, **fields)


@in_app
def set_deleted(case, when):
    Case.update(deleted_at=when).where(Case.id == case.id).execute()


@in_app
def current_of(person):
    found = Person.get_by_id(person.id).current_case()
    return found.id if found else None


def test_a_newer_case_becomes_current_and_an_older_one_stops_being(app):
    person = make_person("甲", status="released")
    first = flags_follow_the_rule()[person.id]
    second = add_case(person)  # reopened: a new measure after the first ended
    assert flags_follow_the_rule() == {person.id: second.id} and current_of(person) == second.id != first


def test_removing_the_newest_case_hands_back_the_older_and_restoring_takes_it_again(app):
    person = make_person("乙", status="transferred")
    first = flags_follow_the_rule()[person.id]
    second = add_case(person)
    set_deleted(second, "2026-11-20 08:00:00")
    assert flags_follow_the_rule() == {person.id: first} and current_of(person) == first
    set_deleted(second, None)
    assert flags_follow_the_rule() == {person.id: second.id}
    set_deleted(second, "2026-11-20 08:00:00")
    set_deleted(Case.get_by_id(first), "2026-11-20 08:00:00")  # no live case left: none is current
    assert flags_follow_the_rule() == {} and current_of(person) is None


@in_app
def save_stale(case_id, loaded):
    loaded.street = "改过的街道"
    loaded.save()  # writes the `current` it read before the newer case existed


def test_a_stale_save_of_an_older_case_does_not_make_it_current_again(app):
    person = make_person("丙")
    with app.app_context():
        loaded = Case.get(Case.person == person.id)
    assert loaded.current
    newer = add_case(person)
    save_stale(loaded.id, loaded)
    assert flags_follow_the_rule() == {person.id: newer.id}


def test_a_merge_moves_the_current_case_and_its_undoing_moves_it_back(app, users):
    survivor = make_person("丁", status="released")
    duplicate = make_person("丁", status="active", birth_date=date(1990, 1, 1))
    before = flags_follow_the_rule()
    with app.app_context():
        chosen = {key: "survivor" for key in duplicates.CHOSEN_FIELDS}
        duplicates.merge(Person.get_by_id(survivor.id), Person.get_by_id(duplicate.id), chosen, "同一人重复建档",
                         users["lead"])
    moved = before[duplicate.id]  # the duplicate's case is newer than the survivor's
    assert flags_follow_the_rule() == {survivor.id: moved}
    with app.app_context():
        record = duplicates.merges_of(survivor.id)[0]
        duplicates.undo(record, "合并有误", users["lead"])
    assert flags_follow_the_rule() == before


def test_a_case_deleted_outright_hands_the_flag_to_the_next(app):
    person = make_person("戊", status="released")
    first = flags_follow_the_rule()[person.id]
    second = add_case(person)
    with app.app_context():
        Case.delete().where(Case.id == second.id).execute()  # nothing in the portal does; the database still holds
    assert flags_follow_the_rule() == {person.id: first}
