"""A package's ~1,000 tuples stored at less than half the cost (scripts/bench_province.py, issue 18's import goal):

- the foreign key of package_value.package_id checked once per statement instead of once per row: its row
  trigger ran a locking SELECT on `package` for every tuple, 40% of the server's time per package. A statement
  trigger over the rows the COPY inserted (or an UPDATE changed) refuses any whose package does not exist, and
  one over the packages a DELETE removed refuses it while tuples point at them (what the key did); TRUNCATE of
  `package` is refused (the key refused it unless package_value went too; packages are kept);
- the index on package_id alone dropped: package_value_package_id_element_period begins with it;
- the file kept in `package.content` compressed with lz4 (PostgreSQL 14+ built with it, as Debian's is) instead
  of pglz: about 3 of the 19 ms the server spent per package. A server without lz4 keeps pglz.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

CHECK = ("IF EXISTS (SELECT 1 FROM (SELECT DISTINCT package_id FROM {rows}) n "
         "WHERE NOT EXISTS (SELECT 1 FROM package p WHERE p.id = n.package_id)) THEN "
         "RAISE foreign_key_violation USING MESSAGE = 'package_value refers to a package that does not exist'; "
         "END IF;")

STATEMENTS = [
    'ALTER TABLE "package_value" DROP CONSTRAINT "package_value_package_id_fkey"',
    'DROP INDEX "package_value_package_id"',
    "CREATE FUNCTION package_value_has_package() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN " + CHECK.format(rows="new_values") + " RETURN NULL; END $$",
    "CREATE TRIGGER package_value_package_on_insert AFTER INSERT ON package_value "
    "REFERENCING NEW TABLE AS new_values FOR EACH STATEMENT EXECUTE FUNCTION package_value_has_package()",
    "CREATE TRIGGER package_value_package_on_update AFTER UPDATE ON package_value "
    "REFERENCING NEW TABLE AS new_values FOR EACH STATEMENT EXECUTE FUNCTION package_value_has_package()",
    "CREATE FUNCTION package_keeps_its_values() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN IF EXISTS (SELECT 1 FROM package_value v JOIN old_packages o ON v.package_id = o.id) THEN "
    "RAISE foreign_key_violation USING MESSAGE = 'package_value still refers to the package'; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER package_keeps_its_values_on_delete AFTER DELETE ON package "
    "REFERENCING OLD TABLE AS old_packages FOR EACH STATEMENT EXECUTE FUNCTION package_keeps_its_values()",
    "CREATE FUNCTION package_not_truncated() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE feature_not_supported USING MESSAGE = 'packages are kept: TRUNCATE refused'; END $$",
    "CREATE TRIGGER package_not_truncated BEFORE TRUNCATE ON package "
    "FOR EACH STATEMENT EXECUTE FUNCTION package_not_truncated()",
    # the ALTER in a block of its own: a server built without lz4 (or older than 14) keeps pglz
    "DO $$ BEGIN EXECUTE 'ALTER TABLE package ALTER COLUMN content SET COMPRESSION lz4'; "
    "EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN NULL; END $$",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
