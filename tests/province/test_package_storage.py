"""package_value's key to its package, checked per statement (migration 0009): a tuple without its package is
refused, as is deleting or truncating a package that has tuples; a package's file is stored compressed with lz4."""
import pytest
from peewee import IntegrityError, NotSupportedError

from portal.db import database
from portal.models import OrgUnit, Package, PackageValue


@pytest.fixture
def package(app):
    with app.app_context(), database.connection_context():
        station = OrgUnit.create(code="520102-01", name="站", level="station")
        package = Package.create(station=station, month="2026-10", generated_at="", via="cli", sha256="x", size=2,
                                 content="{}")
        PackageValue.create(package=package, element="TALKS", period="month", numerator=1)
        return package.id


def test_a_tuple_of_a_package_that_does_not_exist_is_refused(app, package):
    with app.app_context(), database.connection_context():
        with pytest.raises(IntegrityError, match="does not exist"), database.atomic():
            PackageValue.insert_many([{"package": package, "element": "TALKS", "period": "month", "numerator": 2},
                                      {"package": package + 1, "element": "TALKS", "period": "month",
                                       "numerator": 3}]).execute()
        with pytest.raises(IntegrityError, match="does not exist"), database.atomic():
            PackageValue.update(package=package + 1).execute()
        PackageValue.create(package=package, element="VISITS", period="month", numerator=2)  # its own package: kept
        assert PackageValue.select().where(PackageValue.package == package).count() == 2


def test_a_package_with_tuples_cannot_be_deleted_or_truncated(app, package):
    with app.app_context(), database.connection_context():
        with pytest.raises(IntegrityError, match="still refers"), database.atomic():
            Package.delete().execute()
        with pytest.raises(NotSupportedError, match="TRUNCATE refused"), database.atomic():
            database.execute_sql("TRUNCATE package, package_value")
        assert Package.select().count() == 1 and PackageValue.select().count() == 1
        empty = Package.create(station=Package.get_by_id(package).station, month="2026-09", generated_at="", via="cli",
                               sha256="y", size=2, content="{}")
        Package.delete().where(Package.id == empty.id).execute()  # no tuples point at it: as the key allowed
        assert Package.select().count() == 1


def test_the_package_file_is_stored_compressed_with_lz4(app, package):
    with app.app_context(), database.connection_context():
        Package.update(content="{" + '"TALKS":1,' * 5000 + "}").where(Package.id == package).execute()
        assert database.execute_sql("SELECT pg_column_compression(content) FROM package").fetchone()[0] == "lz4"
