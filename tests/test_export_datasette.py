"""The SQLite export opens as it is in Datasette (issue 3), checked with Datasette itself."""

import asyncio
import sqlite3

from blocwatch.statements.export import export


def test_sqlite_export_is_served_by_datasette(small_db_engine, tmp_path):
    from datasette.app import Datasette

    out = tmp_path / "blocwatch.db"
    export(small_db_engine, "sqlite", out)
    with sqlite3.connect(out) as conn:
        expected = {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0]
                    for (t,) in conn.execute("select name from sqlite_master where type = 'table'")}
    assert {"events", "positions", "countries", "sources"} <= set(expected)

    async def fetch():
        ds = Datasette(files=[str(out)])
        database = await ds.client.get("/blocwatch.json")
        events = await ds.client.get("/blocwatch/events.json?_shape=array&_size=max")
        return database, events

    database, events = asyncio.run(fetch())
    assert database.status_code == 200
    served = {t["name"]: t["count"] for t in database.json()["tables"]}
    assert served == expected
    assert events.status_code == 200
    assert len(events.json()) == expected["events"]
    assert {"id", "date", "stance", "claimed_count"} <= set(events.json()[0])
