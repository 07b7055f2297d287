"""Minors (未成年人, under 18; PIPL 28, D7): the one rule for who is a minor and who may see a minor's
details. Exports, printed lists and batch prints leave minors out (`leave_out`); a counsellor (no need) sees no
minor's assistance details on screens (the `minor_hidden` filter); the redacted meeting copy shows no minor's birth
year or assistance."""
from flask_login import current_user

from ..dates import add_months, today
from ..permissions import can

MINOR_AGE = 18


def cutoff(day=None):
    """The latest birth date of an adult on `day`: someone born after it is a minor (a birthday on
    29 February falls on the 28th)."""
    return add_months(day or today(), -12 * MINOR_AGE)


def is_minor(birth_date, day=None):
    return birth_date is not None and birth_date > cutoff(day)


def needs_details(user):
    """Roles whose work needs a minor's details: those who keep the person's file (persons.full)."""
    return can(user, "persons.full")


def hidden(birth_date, user=None):
    """Whether a minor's details are kept from `user` (the signed-in user): a minor, and a role without a need."""
    return is_minor(birth_date) and not needs_details(user or current_user)


def leave_out(items, person_of):
    """Split the rows of a list that leaves the portal (an export, a printed list): (the rows kept, how many
    were left out because they name a minor). `person_of` gives a row's person (None: a row of no person)."""
    kept, left_out = [], 0
    for item in items:
        person = person_of(item)
        if person is not None and is_minor(person.birth_date):
            left_out += 1
        else:
            kept.append(item)
    return kept, left_out
