"""How far the supervision relationships have changed: a number PostgreSQL moves on with
every statement that writes them, whoever writes them.

A figure worked out from all the relationships (how many people the organisation supervised
in a window: `audit.selectors.supervisees_in_window_count`, 11-14 ms for a national body's
65,000) can then be kept by each process for as long as the number stays where it was,
rather than worked out on every request. The number is moved by a trigger on the table, so
every door (the pages, admin, imports, erasure, retention, the seeding, a hand-made SQL
change) moves it: none has to remember to. Each value comes from a sequence, so a value is
never handed out twice, even when the transaction that took it rolls back; the row that holds
it is transactional, so a reader sees the value of the relationships it sees (and a change
not yet committed is seen, with its own value, only by the transaction making it).

A writer holds the row from its first write of relationships until it commits: two
transactions writing relationships at once take turns (they are rare: an administrator's
change, an import of people).

PostgreSQL only (`relationships_version` is None elsewhere: nothing is kept). Installed after
every `migrate` (the `post_migrate` signal, so that a test database made without migrations
has it too); idempotent.
"""

from django.db import connection, connections

INSTALL = [
    "CREATE SEQUENCE IF NOT EXISTS people_relationships_version_seq",
    """CREATE TABLE IF NOT EXISTS people_relationships_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL
    )""",
    """INSERT INTO people_relationships_version (id, version)
        VALUES (1, nextval('people_relationships_version_seq')) ON CONFLICT (id) DO NOTHING""",
    """CREATE OR REPLACE FUNCTION people_relationships_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE people_relationships_version
            SET version = nextval('people_relationships_version_seq') WHERE id = 1;
            RETURN NULL;
        END
        $$""",
    "DROP TRIGGER IF EXISTS people_relationships_changed ON people_relationship",
    """CREATE TRIGGER people_relationships_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people_relationship
        FOR EACH STATEMENT EXECUTE FUNCTION people_relationships_changed()""",
]


def install(sender, using="default", **kwargs):
    """The `post_migrate` receiver: the table, its sequence and the trigger (PostgreSQL)."""
    target = connections[using]
    if target.vendor != "postgresql":
        return
    with target.cursor() as cursor:
        for statement in INSTALL:
            cursor.execute(statement)


def relationships_version() -> int | None:
    """Where the relationships' number stands for this connection's transaction; None where
    there is none (not PostgreSQL). One query of one row."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM people_relationships_version WHERE id = 1")
        (version,) = cursor.fetchone()
    return version
