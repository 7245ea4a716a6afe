"""Reads the hive task's dataset<csv> (a directory of CSV parts with a header) and writes two outputs."""
import csv, glob, json, os, sys

rows_dir, out_dir = sys.argv[1], sys.argv[2]
products, total = 0, 0.0
for part in sorted(glob.glob(os.path.join(rows_dir, "*.csv"))):
    with open(part, newline="") as f:
        for row in csv.DictReader(f):
            products += 1
            total += float(row["total"])
with open(os.path.join(out_dir, "outputs.json"), "w") as f:
    json.dump({"products": products, "total": total}, f)
