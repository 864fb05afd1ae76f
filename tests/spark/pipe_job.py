"""A local Spark job that pipes a JSON Lines corpus through tonecheck, one process per
partition (RDD.pipe), and saves what they print: result lines, then each partition's
summary line. `tonecheck summarize` merges the partitions afterwards (tests/spark.rs,
docs/scale.md).

Usage: python pipe_job.py CORPUS.jsonl TONECHECK OUT_DIR PARTITIONS [EXTRA TONECHECK ARGS...]
Prints one JSON line: {"partitions", "bytes", "lines", "seconds"} of the piped stage.
"""
import json
import os
import shlex
import sys
import time

from pyspark import SparkConf, SparkContext


def main():
    corpus, tonecheck, out_dir, partitions = sys.argv[1:5]
    extra = sys.argv[5:]
    conf = (
        SparkConf()
        .setMaster("local[2]")
        .setAppName("tonecheck-pipe")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.driver.host", "127.0.0.1")
    )
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        lines = sc.textFile("file://" + os.path.abspath(corpus), minPartitions=int(partitions))
        # --input-format jsonl: an empty partition is an empty stream, not an empty file.
        cmd = [tonecheck, "score", "--no-config", "-f", "jsonl", "--input-format", "jsonl",
               "-j", "1"] + extra + ["-"]
        piped = lines.pipe(" ".join(shlex.quote(c) for c in cmd), checkCode=True)
        start = time.monotonic()
        piped.saveAsTextFile("file://" + os.path.abspath(out_dir))
        seconds = time.monotonic() - start
        print(json.dumps({
            "partitions": lines.getNumPartitions(),
            "bytes": os.path.getsize(corpus),
            "seconds": round(seconds, 3),
        }))
    finally:
        sc.stop()


if __name__ == "__main__":
    main()
