import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_it_migrates_a_fresh_embedded_database(tmp_path):
    """The first command of the README (`manage.py dev`) migrates SQLite: its indexes cannot
    say NULLS LAST, so the rating index is made there without it."""
    database = tmp_path / "db.sqlite3"
    environment = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}"}

    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(database) as sqlite:
        (sql,) = sqlite.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'kyc_review_rating_idx'"
        ).fetchone()
    assert '"rating" DESC, "opened_at"' in sql


@pytest.mark.django_db
def test_it_keeps_nulls_last_in_the_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'kyc_review_rating_idx'")
        (definition,) = cursor.fetchone()

    assert "rating DESC NULLS LAST, opened_at" in definition


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("index", "column"),
    [
        ("audit_event_staff", "staff_id"),
        ("audit_event_actor", "actor_id"),
        ("submissions_step_approver", "approved_by_id"),
        ("kyc_review_assignee", "assignee_id"),
        ("kyc_review_decider", "decided_by_id"),
    ],
)
def test_it_indexes_a_reference_to_a_person_only_where_a_row_has_one(index, column):
    """Most events name no staff member and no actor, most steps no approver, and a review
    opens with no assignee and no decider: their indexes take no entry for those rows."""
    if connection.vendor != "postgresql":
        pytest.skip("the index's definition is read from PostgreSQL's catalogue")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexname = %s", [index])
        table, definition = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_indexes"
            " WHERE tablename = %s AND indexdef LIKE %s AND indexname <> %s",
            [table, f"%({column})%", index],
        )
        (others,) = cursor.fetchone()

    assert definition.endswith(f"({column}) WHERE ({column} IS NOT NULL)")
    assert others == 0
