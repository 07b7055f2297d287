"""Duplicate person files: finding them, merging one into another, and undoing a merge.

A merge keeps the survivor's ID number, takes the identity values the user chose, moves
every row that points at the duplicate (cases, family, talks, tests, attachments, …) to
the survivor and soft-deletes the duplicate. What moved is recorded in PersonMerge, so the
lead can undo it exactly; nothing is ever removed.
"""
import json

from .. import audit, idcard
from ..dates import utcnow
from ..db import database
from ..models import ACTIVE_STATUSES, Case, Person, PersonMerge
from ..versions import revise
from . import retention

DROPPED = "case.deleted_at"  # in PersonMerge.moved: the duplicate's cases soft-deleted as repeats
CHOSEN_FIELDS = {"name": "姓名", "ethnicity": "民族", "phone": "联系电话", "household_address": "户籍地址",
                 "residence_address": "现住址", "employment": "就业情况", "drug_type": "滥用毒品种类", "notes": "备注"}


class MergeRefused(ValueError):
    """A merge or undo that cannot be done, with a Chinese message."""


def duplicates_of(name, birth_date=None, id_number=None, exclude=None):
    """Live or deleted persons with this ID number, or live persons with this name and birth date."""
    conditions = []
    if id_number:  # an anonymised file kept only a keyed hash of its number
        conditions.append((Person.id_number == id_number) | (Person.id_hash == retention.id_hash(id_number)))
    if name and birth_date:
        conditions.append((Person.name == name) & (Person.birth_date == birth_date) & Person.is_live())
    if not conditions:
        return []
    query = Person.select().where(conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1])
    if exclude:
        query = query.where(Person.id != exclude)
    return list(query.order_by(Person.id).limit(10))


def suspected_pairs(limit=100):
    """Pairs of live persons with the same name and birth date (different ID numbers), oldest first."""
    other = Person.alias()
    return list(Person.select(Person.id.alias("a"), other.id.alias("b"))
                .join(other, on=((other.name == Person.name) & (other.birth_date == Person.birth_date)
                                 & (other.id > Person.id)))
                .where(Person.is_live(), other.deleted_at.is_null())
                .order_by(Person.id).limit(limit).dicts())


def pointing_fields():
    """Every foreign key that points at Person, except the merge log's own."""
    return [field for field in Person._meta.backrefs if field.model is not PersonMerge]


def merge(survivor, duplicate, chosen, reason, user, drop_cases=()):
    """Merge `duplicate` into `survivor`; `chosen` maps CHOSEN_FIELDS to "survivor" or "duplicate".

    `drop_cases` are the duplicate's cases that only repeat a registration: they are
    soft-deleted instead of moved. A moved case may not displace the survivor's running case
    as its current one (the newest live case is the current case).
    """
    if survivor.id == duplicate.id:
        raise MergeRefused("不能把档案与自身合并。")
    if survivor.deleted_at or duplicate.deleted_at:
        raise MergeRefused("已删除的档案不能合并，请先恢复。")
    running = survivor.current_case()
    with database.atomic():
        dropped = [c.id for c in Case.select(Case.id).where(Case.person == duplicate.id, Case.is_live(),
                                                             Case.id.in_(list(drop_cases) or [0]))]
        if dropped:
            Case.update(deleted_at=utcnow(), version=Case.version + 1).where(Case.id.in_(dropped)).execute()
        before = {key: getattr(survivor, key) for key in CHOSEN_FIELDS}
        changes = {key: getattr(duplicate, key) for key, side in chosen.items()
                   if side == "duplicate" and key in CHOSEN_FIELDS and getattr(duplicate, key) != before[key]}
        if "name" in changes:
            changes.update(Person.search_keys(changes["name"]))
        if changes:
            revise(survivor, changes, user)
        moved = {}
        for field in pointing_fields():
            ids = [row.id for row in field.model.select(field.model.id).where(field == duplicate.id)]
            if ids:
                field.model.update({field: survivor.id}).where(field.model.id.in_(ids)).execute()
                moved["%s.%s" % (field.model._meta.table_name, field.name)] = ids
        if dropped:
            moved[DROPPED] = dropped
        current = Person.get_by_id(survivor.id).current_case()
        if running and running.status in ACTIVE_STATUSES and current.id != running.id:
            raise MergeRefused("并入档案的案件（%s，%s）比本档案的在管案件（%s）新，合并后会取代它成为当前案件。"
                               "如果它是重复登记的案件，请勾选“作为重复登记删除”；否则请先办理结束本档案的案件。"
                               % (current.code, current.status_label, running.code))
        Person.update(deleted_at=utcnow(), deleted_by=user.id, version=Person.version + 1,
                      deleted_reason=("已合并至 %s（%s）" % (survivor.name, idcard.mask(survivor.id_number)))[:200]
                      ).where(Person.id == duplicate.id).execute()
        record = PersonMerge.create(survivor=survivor.id, merged=duplicate.id, reason=reason, merged_by=user.id,
                                    survivor_before=json.dumps(before, ensure_ascii=False),
                                    survivor_version=Person.get_by_id(survivor.id).version,
                                    moved=json.dumps(moved))
        detail = {"merge": record.id, "into": survivor.id, "from": duplicate.id, "fields": sorted(changes),
                  "moved": {k: len(v) for k, v in moved.items()}}
        audit.record("person.merge", survivor, user=user, reason=reason, detail=detail)
        audit.record("person.merge", duplicate, user=user, reason=reason, detail=detail)
    return record


def undo(record, reason, user):
    """Move every moved row back, restore the survivor's values and the duplicate's file."""
    if record.undone_at:
        raise MergeRefused("这次合并已经撤销过。")
    survivor = Person.get_by_id(record.survivor_id)
    if survivor.version != record.survivor_version:
        raise MergeRefused("合并后保留的档案又被修改过（身份信息），无法自动撤销；请手工更正。")
    fields = {"%s.%s" % (f.model._meta.table_name, f.name): f for f in pointing_fields()}
    moved_cases = record.moved_rows.get("case.person", [])
    for field in pointing_fields():
        case = field.model._meta.fields.get("case")
        moved = set(record.moved_rows.get("%s.%s" % (field.model._meta.table_name, field.name), []))
        if moved_cases and case is not None and any(row.id not in moved for row in field.model.select(
                field.model.id).where(case.in_(moved_cases))):
            raise MergeRefused("合并后已在原档案的案件下新增了记录，无法自动撤销；请联系技术人员处理。")
    with database.atomic():
        for key, ids in record.moved_rows.items():
            if key == DROPPED:
                Case.update(deleted_at=None, version=Case.version + 1).where(Case.id.in_(ids)).execute()
                continue
            field = fields[key]
            field.model.update({field: record.merged_id}).where(field.model.id.in_(ids)).execute()
        before = json.loads(record.survivor_before)
        changed = {k: v for k, v in before.items() if getattr(survivor, k) != v}
        if "name" in changed:
            changed.update(Person.search_keys(changed["name"]))
        if changed:
            revise(survivor, changed, user)
        Person.update(deleted_at=None, deleted_by=None, deleted_reason=None, version=Person.version + 1).where(
            Person.id == record.merged_id).execute()
        PersonMerge.update(undone_at=utcnow(), undone_by=user.id, undo_reason=reason).where(
            PersonMerge.id == record.id).execute()
        detail = {"merge": record.id, "moved_back": record.moved_count}
        audit.record("person.unmerge", survivor, user=user, reason=reason, detail=detail)
        audit.record("person.unmerge", object_type="person", object_id=record.merged_id, user=user, reason=reason,
                     detail=detail)


def merges_of(person_id):
    """Merges in which the person survived or was merged, newest first."""
    return list(PersonMerge.select().where((PersonMerge.survivor == person_id) | (PersonMerge.merged == person_id))
                .order_by(PersonMerge.id.desc()))
