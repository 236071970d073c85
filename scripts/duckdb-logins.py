#!/usr/bin/env python3
"""Failed logins per user per hour, from the Parquet or JSON Lines files of
xmmep-export, with DuckDB (pip install duckdb). Any number of files or globs,
all *.parquet or all JSON Lines:

    python3 scripts/duckdb-logins.py xmmep.parquet more/*.parquet
    python3 scripts/duckdb-logins.py xmmep.jsonl more/*.jsonl

A login step is a request (110 MSG_GET_LOGIN_INFO_REQ or 112 MSG_LOGIN_REQ)
paired with the first later response (111 or 113) of the same capture that
goes back to the address and port the request came from. Prints, tab
separated: hour (UTC), user, logins (112 requests), failed (steps whose
response carries a result other than RESULT_SUCCESS), unanswered.
"""
import sys

import duckdb

# The columns the question needs, from either format. Parquet's times are
# UTC timestamps; taken as UTC whatever the session's time zone.
PARQUET = """
    SELECT file, timezone('UTC', time) AS time, src, dst, msg_type, user_name, result
    FROM read_parquet($files)
"""
JSON_LINES = """
    SELECT json ->> '$.file'                      AS file,
           CAST(json ->> '$.time' AS TIMESTAMP)   AS time,
           json ->> '$.src'                       AS src,
           json ->> '$.dst'                       AS dst,
           CAST(json ->> '$.msg_type' AS INTEGER) AS msg_type,
           json ->> '$.fields.user_name'          AS user_name,
           json ->> '$.fields.result'             AS result
    FROM read_ndjson_objects($files)
"""

SQL = """
WITH m AS ({source}),
req AS (SELECT * FROM m WHERE msg_type IN (110, 112)),
res AS (SELECT * FROM m WHERE msg_type IN (111, 113))
SELECT strftime(date_trunc('hour', req.time), '%Y-%m-%d %H:00') AS hour,
       req.user_name                                            AS user,
       count(*) FILTER (WHERE req.msg_type = 112)               AS logins,
       count(*) FILTER (WHERE res.result <> 'RESULT_SUCCESS')   AS failed,
       count(*) FILTER (WHERE res.result IS NULL)               AS unanswered
FROM req ASOF LEFT JOIN res
  ON req.file = res.file AND res.src = req.dst AND res.dst = req.src AND res.time >= req.time
GROUP BY ALL
ORDER BY hour, user
"""


def main(paths):
    if not paths:
        sys.exit("usage: duckdb-logins.py FILE.parquet... | FILE.jsonl...")
    parquet = [p.endswith(".parquet") for p in paths]
    if any(parquet) and not all(parquet):
        sys.exit("duckdb-logins.py: give Parquet files or JSON Lines files, not both")
    sql = SQL.format(source=PARQUET if all(parquet) else JSON_LINES)
    rows = duckdb.connect().execute(sql, {"files": paths}).fetchall()
    print("hour\tuser\tlogins\tfailed\tunanswered")
    for row in rows:
        print("\t".join(str(v) for v in row))


if __name__ == "__main__":
    main(sys.argv[1:])
