"""Helpers shared by the Pima tasks: the Aloft container contract on the task side.

Inputs arrive as command-line arguments (CSV files, or Parquet dataset directories from the Spark variant) (templated by Aloft from the task's inputs); outputs are written to
the output directory Aloft gives, plus an outputs.json mapping each output name to its value (a path,
relative to the output directory, for blobs).
"""
import json
import os
import sys

import numpy as np

FEATURES = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "bmi", "pedigree", "age"]


def read_csv(path):
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    return data[:, :-1], data[:, -1]


def read_table(path):
    """A CSV file, or a Parquet dataset (a directory Spark wrote, columns FEATURES + outcome)."""
    if not os.path.isdir(path):
        return read_csv(path)
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    data = np.column_stack([table.column(c).to_numpy() for c in FEATURES + ["outcome"]]).astype(float)
    return data[:, :-1], data[:, -1]


def write_csv(path, x, y):
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", fmt="%.6g")


def write_outputs(out_dir, outputs):
    with open(os.path.join(out_dir, "outputs.json"), "w") as f:
        json.dump(outputs, f, sort_keys=True)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)
