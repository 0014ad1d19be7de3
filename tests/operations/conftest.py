from tests.submissions.conftest import ready_case, rm, tenant  # noqa: F401 - shared fixtures
