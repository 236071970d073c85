#!/usr/bin/env python3
"""Failed logins per user per hour over a folder of captures, on Spark
(pip install pyspark; a Java runtime, 17 or newer).

Each capture is exported by xmmep-export to a Parquet file of OUTPUT, one
capture per task, on the executors (the binary is shipped with the job;
tshark must be installed on every executor), then Spark SQL answers the
question scripts/duckdb-logins.py answers and prints it, tab separated:
hour (UTC), user, logins, failed, unanswered.

    python3 scripts/spark-export.py --master 'local[2]' CAPTURES OUTPUT
    spark-submit --master spark://HOST:7077 scripts/spark-export.py CAPTURES OUTPUT

CAPTURES (a folder searched for *.pcapng, *.pcap, *.cap) and OUTPUT must be
at the same path on every executor (a shared file system) on a cluster.
Options after `--` go to xmmep-export (`-- -O xmmep.charset:GB18030`).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession

EXPORT = "xmmep-export"

SQL = """
WITH req AS (SELECT *, monotonically_increasing_id() AS id FROM m WHERE msg_type IN (110, 112)),
res AS (SELECT * FROM m WHERE msg_type IN (111, 113)),
paired AS (
    SELECT req.time, req.user_name, req.msg_type, res.result,
           row_number() OVER (PARTITION BY req.id ORDER BY res.time) AS n
    FROM req LEFT JOIN res
      ON req.file = res.file AND res.src = req.dst AND res.dst = req.src AND res.time >= req.time
)
SELECT date_format(date_trunc('hour', time), 'yyyy-MM-dd HH:00') AS hour,
       user_name                                                  AS user,
       count_if(msg_type = 112)                                   AS logins,
       count_if(result <> 'RESULT_SUCCESS')                       AS failed,
       count_if(result IS NULL)                                   AS unanswered
FROM paired
WHERE n = 1
GROUP BY 1, 2
ORDER BY 1, 2
"""

# Spark's own console output: errors only (the shell's level too, else Spark
# says it sets WARN).
LOG4J2 = """rootLogger.level = error
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def captures(folder):
    found = []
    for root, _, files in os.walk(folder):
        found += [os.path.join(root, f) for f in files if f.endswith((".pcapng", ".pcap", ".cap"))]
    return sorted(found)


def export(task, options, output):
    """On an executor: one capture to OUTPUT/<n>-<name>.parquet."""
    n, capture = task
    binary = SparkFiles.get(EXPORT)
    if not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)
    name = os.path.join(output, "%05d-%s.parquet" % (n, os.path.basename(capture)))
    cmd = [binary, "--fail-on", "never", "--jobs", "1", "--format", "parquet", "-o", name] + options + [capture]
    p = subprocess.run(cmd, capture_output=True, text=True)
    # A capture without XMMEP writes no rows but still a file.
    return capture, name, p.returncode, p.stderr


def main():
    argv = sys.argv[1:]
    options = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description="Failed logins per user per hour over a folder of captures, on Spark.")
    ap.add_argument("captures", help="folder of captures")
    ap.add_argument("output", help="folder for the Parquet files")
    ap.add_argument("--master", help="Spark master (default: that of spark-submit, else local[*])")
    ap.add_argument("--xmmep-export", default=shutil.which(EXPORT) or "target/release/xmmep-export", help="the binary shipped to the executors")
    args = ap.parse_args(argv)

    files = captures(args.captures)
    if not files:
        sys.exit("spark-export.py: no captures in %s" % args.captures)
    os.makedirs(args.output, exist_ok=True)
    output = os.path.abspath(args.output)

    # Run by python3, this script starts Spark's JVM: a configuration folder
    # of ours, unless one is set, keeps it quiet. Under spark-submit the JVM
    # runs already, with the cluster's configuration; setLogLevel follows.
    conf = tempfile.mkdtemp(prefix="xmmep-spark-")
    with open(os.path.join(conf, "log4j2.properties"), "w") as f:
        f.write(LOG4J2)
    os.environ.setdefault("SPARK_CONF_DIR", conf)
    builder = SparkSession.builder.appName("xmmep logins")
    if args.master:
        builder = builder.master(args.master)
    spark = (
        builder.config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.sparkContext.addFile(os.path.abspath(args.xmmep_export))
        tasks = spark.sparkContext.parallelize(list(enumerate(files)), len(files))
        done = tasks.map(lambda t: export(t, options, output)).collect()
        failed = [d for d in done if d[2] == 2]
        for _, _, _, err in done:
            sys.stderr.write(err)
        if failed:
            sys.exit("spark-export.py: xmmep-export failed on %s" % ", ".join(d[0] for d in failed))
        spark.read.parquet(*[d[1] for d in done]).createOrReplaceTempView("m")
        print("hour\tuser\tlogins\tfailed\tunanswered")
        for row in spark.sql(SQL).collect():
            print("\t".join(str(v) for v in row))
    finally:
        spark.stop()
        shutil.rmtree(conf)


if __name__ == "__main__":
    main()
