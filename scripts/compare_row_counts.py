"""Compare two PostgreSQL databases table by table: `compare_row_counts.py URL_A URL_B`.

Prints each table of the public schema with its row count in both, and exits 1 if a table is
in only one of them or its counts differ (the check after a backup is restored elsewhere).
"""

import sys

import psycopg2
from psycopg2 import sql

TABLES = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
)


def row_counts(url):
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(TABLES)
        names = [row[0] for row in cursor.fetchall()]
        counts = {}
        for name in names:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", name))
            )
            counts[name] = cursor.fetchone()[0]
    connection.close()
    return counts


def differences(a, b):
    """Lines naming each table whose count differs or that only one database has."""
    problems = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            problems.append(f"{name}: only in the first database")
        elif name not in a:
            problems.append(f"{name}: only in the second database")
        elif a[name] != b[name]:
            problems.append(f"{name}: {a[name]} rows, then {b[name]}")
    return problems


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    a, b = row_counts(argv[1]), row_counts(argv[2])
    width = max((len(name) for name in a), default=5)
    for name in sorted(a):
        print(f"{name:<{width}}  {a[name]:>8}  {b.get(name, '-'):>8}")
    problems = differences(a, b)
    if not a:
        problems.append("the first database has no tables")
    if problems:
        print("Row counts differ:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"{len(a)} tables, {sum(a.values())} rows: the same in both.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
