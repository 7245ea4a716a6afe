"""Accuracy, precision, recall and AUC of the scored test set."""
import argparse

import numpy as np

from common import write_outputs

p = argparse.ArgumentParser()
p.add_argument("--scores", required=True)
p.add_argument("--threshold", type=float, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
data = np.loadtxt(a.scores, delimiter=",", ndmin=2)
y, s = data[:, 0], data[:, 1]
pred = s >= a.threshold
tp, fp = float(np.sum(pred & (y == 1))), float(np.sum(pred & (y == 0)))
fn = float(np.sum(~pred & (y == 1)))
# AUC: the probability that a random positive scores above a random negative (ties count half).
pos, neg = s[y == 1], s[y == 0]
auc = float((np.sum(pos[:, None] > neg[None, :]) + 0.5 * np.sum(pos[:, None] == neg[None, :])) / (len(pos) * len(neg)))
metrics = {
    "accuracy": round(float(np.mean(pred == (y == 1))), 4),
    "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
    "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
    "auc": round(auc, 4),
}
write_outputs(a.out, {"metrics": metrics})
print(metrics)
