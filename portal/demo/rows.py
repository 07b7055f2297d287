"""The demo's bulk writes: rows made in memory, inserted in chunks."""
from datetime import date, datetime

from ..db import database

NATIVE = {str, int, float, bool, type(None), date, datetime}  # what the driver takes as it is
CHUNK = 2000


def insert(model, rows):
    """Bulk insert; every row gets every column (a key only some rows carry, or a field with a
    default that no row carries, at the field's default), in chunks of one prepared INSERT through
    the driver's executemany, a value converted by its field only when the driver cannot take it
    (a model instance for a foreign key): Peewee's insert_many builds a node per value, which cost
    most of a 20,000-person build."""
    if not rows:
        return
    keys = {key for row in rows for key in row} | {f.name for f in model._meta.defaults}
    fields = [model._meta.fields[name] for name in sorted(keys) if name in model._meta.fields]
    spec = [(f.name, f.default() if callable(f.default) else f.default, f.db_value) for f in fields]
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (
        model._meta.table_name.join(database.quote), ", ".join(f.column_name.join(database.quote) for f in fields),
        ", ".join([database.param] * len(fields)))
    cursor = database.cursor()
    for start in range(0, len(rows), CHUNK):
        cursor.executemany(sql, [
            tuple(value if (value := row.get(name, default)).__class__ in NATIVE else convert(value)
                  for name, default, convert in spec)
            for row in rows[start:start + CHUNK]])
