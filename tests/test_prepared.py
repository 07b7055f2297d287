"""Prepared queries: the SQL is written once, and each call binds its own ids while constants stay."""
from datetime import date

import pytest
from factories import in_app, make_person, make_talk
from peewee import fn

from portal.models import Talk
from portal.prepared import first, prepared, scalar

written = []


@prepared
def talks_of(person_id, staff_id):
    written.append(person_id)
    return Talk.select(Talk.id).where(Talk.person == person_id, Talk.staff == staff_id, Talk.place != "gone") \
        .order_by(Talk.id.desc()).limit(1)


@prepared
def held_since(person_id, day):
    return Talk.select(Talk.id).where(Talk.person == person_id, Talk.held_at >= day).select_from(fn.COUNT(1))


@prepared
def count_of(person_id):
    return Talk.select(Talk.id).where(Talk.person == person_id, Talk.is_live()).select_from(fn.COUNT(1))


def test_each_call_binds_its_own_ids_to_sql_written_once(app, users):
    one, two = make_person("张三"), make_person("李四")
    worker, officer = users["worker"].id, users["officer"].id
    make_talk(one, worker)
    mine = make_talk(one, worker)
    theirs = make_talk(two, officer)

    @in_app
    def check():
        assert first(Talk, talks_of(one.id, worker)).id == mine.id
        assert first(Talk, talks_of(two.id, officer)).id == theirs.id
        assert first(Talk, talks_of(two.id, worker)) is None  # both ids are bound, not only the first
        sql, params = talks_of(one.id, worker)
        assert params[:2] == [one.id, worker] and "gone" in params  # the constant is kept
        assert len(written) == 1  # built once
        assert [scalar(count_of(p.id)) for p in (one, two)] == [2, 1]
        assert scalar(count_of(0)) == 0
        assert scalar(held_since(one.id, "2000-01-01")) == 2 and scalar(held_since(one.id, "2999-01-01")) == 0
        with pytest.raises(TypeError):  # a date goes in as its ISO text, computed before the call
            held_since(one.id, date(2000, 1, 1))

    check()
