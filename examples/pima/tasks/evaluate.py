"""Score the test set with the model: one probability per row."""
import argparse
import json
import os

import numpy as np

from common import read_table, write_outputs

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--test", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
with open(a.model) as f:
    m = json.load(f)
x, y = read_table(a.test)
z = (x - np.array(m["mean"])) / np.array(m["std"])
scores = 1 / (1 + np.exp(-(z @ np.array(m["weights"]) + m["bias"])))
np.savetxt(os.path.join(a.out, "scores.csv"), np.column_stack([y, scores]), delimiter=",", fmt="%.6g")
write_outputs(a.out, {"scores": "scores.csv"})
