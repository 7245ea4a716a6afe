"""Prepare the data: shuffle with a seed, split into train and test CSV files."""
import argparse
import os

import numpy as np

from common import fail, read_csv, write_csv, write_outputs

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--test-ratio", type=float, required=True)
p.add_argument("--seed", type=int, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
if not 0 < a.test_ratio < 1:
    fail(f"test_ratio must be between 0 and 1, got {a.test_ratio}")
x, y = read_csv(a.data)
order = np.random.default_rng(a.seed).permutation(len(y))
n_test = int(round(len(y) * a.test_ratio))
test, train = order[:n_test], order[n_test:]
write_csv(os.path.join(a.out, "train.csv"), x[train], y[train])
write_csv(os.path.join(a.out, "test.csv"), x[test], y[test])
write_outputs(a.out, {"train": "train.csv", "test": "test.csv", "rows": int(len(y))})
print(f"{len(train)} training rows, {len(test)} test rows")
