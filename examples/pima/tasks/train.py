"""Train a logistic regression with gradient descent (standardized features, L2 penalty)."""
import argparse
import json
import os

import numpy as np

from common import read_table, write_outputs

p = argparse.ArgumentParser()
p.add_argument("--train", required=True)
p.add_argument("--learning-rate", type=float, required=True)
p.add_argument("--epochs", type=int, required=True)
p.add_argument("--l2", type=float, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
x, y = read_table(a.train)
mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
z = (x - mean) / std
w, b = np.zeros(z.shape[1]), 0.0
for _ in range(a.epochs):
    p_hat = 1 / (1 + np.exp(-(z @ w + b)))
    grad = p_hat - y
    w -= a.learning_rate * (z.T @ grad / len(y) + a.l2 * w)
    b -= a.learning_rate * grad.mean()
model = {"weights": w.tolist(), "bias": b, "mean": mean.tolist(), "std": std.tolist()}
with open(os.path.join(a.out, "model.json"), "w") as f:
    json.dump(model, f)
write_outputs(a.out, {"model": "model.json"})
print(f"trained on {len(y)} rows for {a.epochs} epochs")
