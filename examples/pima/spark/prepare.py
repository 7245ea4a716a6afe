"""Prepare the Pima data on Spark: read the CSV with its schema, replace the impossible zeros (a glucose,
blood pressure, skin thickness, insulin or BMI of 0 means "not measured") with the column's median, split
into train and test with a seed, and write both as Parquet datasets.

The Aloft Spark task contract: arguments are templated from the task's inputs; outputs go to the output
directory as outputs.json (datasets as directory names relative to it).
"""
import argparse
import json
import os

from pyspark.sql import SparkSession, functions as F

FEATURES = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "bmi", "pedigree", "age"]
NOT_MEASURED_WHEN_ZERO = ["glucose", "blood_pressure", "skin_thickness", "insulin", "bmi"]

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--test-ratio", type=float, required=True)
p.add_argument("--seed", type=int, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
if not 0 < a.test_ratio < 1:
    raise SystemExit(f"test_ratio must be between 0 and 1, got {a.test_ratio}")

spark = SparkSession.builder.getOrCreate()
schema = ", ".join(f"{c} double" for c in FEATURES + ["outcome"])
df = spark.read.csv(a.data, schema=schema)
medians = df.select([F.percentile_approx(F.when(F.col(c) > 0, F.col(c)), 0.5).alias(c) for c in NOT_MEASURED_WHEN_ZERO]).first()
for c in NOT_MEASURED_WHEN_ZERO:
    df = df.withColumn(c, F.when(F.col(c) == 0, F.lit(float(medians[c]))).otherwise(F.col(c)))
# A stable order before the seeded split, so the same inputs give the same datasets.
df = df.withColumn("_row", F.monotonically_increasing_id()).orderBy("_row").drop("_row").coalesce(1)
train, test = df.randomSplit([1 - a.test_ratio, a.test_ratio], seed=a.seed)
train.write.mode("overwrite").parquet(os.path.join(a.out, "train"))
test.write.mode("overwrite").parquet(os.path.join(a.out, "test"))
rows, imputed = df.count(), {c: float(medians[c]) for c in NOT_MEASURED_WHEN_ZERO}
with open(os.path.join(a.out, "outputs.json"), "w") as f:
    json.dump({"train": "train", "test": "test", "rows": rows, "imputed": imputed}, f, sort_keys=True)
print(f"{rows} rows; medians used for zeros: {imputed}")
spark.stop()
