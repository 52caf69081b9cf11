"""Give the application's database role what it needs and nothing more.

Run as the role that owns the tables (``DATABASE_MIGRATE_URL``, or the current
connection): the application role may read and write the working tables, may only
SELECT and INSERT the audit trail, the access log and the append-only histories,
and owns nothing, so it cannot ALTER, TRUNCATE or disable a trigger on them.
"""

from __future__ import annotations

from typing import Any

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

#: Insert-only tables: the evidence (audit trail, access log, state histories).
APPEND_ONLY_TABLES = (
    "counter_auditevent",
    "counter_accessrecord",
    "counter_casestatuschange",
)


def append_only_tables(cursor: Any) -> list[str]:
    """The insert-only tables that exist: the fixed ones and every *statuschange."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND (tablename = ANY(%s) OR tablename LIKE %s)",
        [list(APPEND_ONLY_TABLES), "%statuschange"],
    )
    return sorted(row[0] for row in cursor.fetchall())


def grant_statements(cursor: Any, role: str) -> list[sql.Composed]:
    ident = sql.Identifier(role)
    cursor.execute("SELECT current_database()")
    database = sql.Identifier(cursor.fetchone()[0])
    evidence = append_only_tables(cursor)
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, ident),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
        sql.SQL(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
        ).format(ident),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(
            ident
        ),
        sql.SQL(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public "
            "FROM {}"
        ).format(ident),
    ]
    statements.extend(
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
            sql.Identifier(table), ident
        )
        for table in evidence
    )
    return statements


class Command(BaseCommand):
    help = (
        "Grant the application role (which must not own the tables) what it needs: "
        "SELECT/INSERT only on the audit trail, access log and histories."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "role",
            nargs="?",
            help="The application's database role (default: the user of "
            "DATABASE_URL, the role the application connects with).",
        )
        parser.add_argument(
            "--create",
            metavar="PASSWORD",
            help="Create the role with LOGIN and this password if it does not exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"] or settings.DATABASES["default"].get("USER") or ""
        if not role:
            raise CommandError("Name the application's role (DATABASE_URL has none).")
        if settings.DATABASE_MIGRATE_URL:
            db = environ.Env.db_url_config(settings.DATABASE_MIGRATE_URL)
            conn: Any = psycopg.connect(
                host=db.get("HOST") or None,
                port=db.get("PORT") or None,
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                dbname=db["NAME"],
                autocommit=True,
            )
            cursor_source = conn
        else:
            conn = None
            cursor_source = connection
        try:
            with cursor_source.cursor() as cursor:
                self._grant(cursor, role, options.get("create"))
        finally:
            if conn is not None:
                conn.close()
        self.stdout.write(f"Role {role}: grants applied.")

    def _grant(self, cursor: Any, role: str, password: str | None) -> None:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            if password is None:
                raise CommandError(f"Role {role} does not exist (use --create).")
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        elif found[0]:
            raise CommandError(f"Role {role} is a superuser; use a plain role.")
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = %s",
            [role],
        )
        if cursor.fetchone()[0]:
            raise CommandError(
                f"Role {role} owns tables; run the migrations as another role "
                "(DATABASE_MIGRATE_URL) and reassign them (REASSIGN OWNED)."
            )
        for statement in grant_statements(cursor, role):
            cursor.execute(statement)
