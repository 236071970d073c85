#!/usr/bin/env python3
"""Failed logins per user per hour, from the JSON Lines of xmmep-export, with
DuckDB (pip install duckdb). Any number of files or globs:

    python3 scripts/duckdb-logins.py xmmep.jsonl more/*.jsonl

A login step is a request (110 MSG_GET_LOGIN_INFO_REQ or 112 MSG_LOGIN_REQ)
paired with the first later response (111 or 113) of the same capture that
goes back to the address and port the request came from. Prints, tab
separated: hour (UTC), user, logins (112 requests), failed (steps whose
response carries a result other than RESULT_SUCCESS), unanswered.
"""
import sys

import duckdb

SQL = """
WITH m AS (
    SELECT json ->> '$.file'                      AS file,
           CAST(json ->> '$.time' AS TIMESTAMP)   AS time,
           json ->> '$.src'                       AS src,
           json ->> '$.dst'                       AS dst,
           CAST(json ->> '$.msg_type' AS INTEGER) AS msg_type,
           json ->> '$.fields.user_name'          AS user_name,
           json ->> '$.fields.result'             AS result
    FROM read_ndjson_objects($files)
),
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
        sys.exit("usage: duckdb-logins.py FILE.jsonl...")
    rows = duckdb.connect().execute(SQL, {"files": paths}).fetchall()
    print("hour\tuser\tlogins\tfailed\tunanswered")
    for row in rows:
        print("\t".join(str(v) for v in row))


if __name__ == "__main__":
    main(sys.argv[1:])
