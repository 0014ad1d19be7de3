from tests.staff.conftest import admin, officer, rm, tenant  # noqa: F401 - the staff tests' people
