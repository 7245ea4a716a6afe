import PluginKit

/// A finished training job's outputs, matched to the task's interface by name:
///   - `model` (or the only blob output): the model artifact, ModelArtifacts.S3ModelArtifacts;
///   - `job_name` (string): the training job's name;
///   - `metrics` (map of float): every final metric; a float output named after a metric, with `:` as `_`
///     (`validation_auc` for `validation:auc`): that metric;
///   - for tuning jobs also `best_job` (string) and `objective` (float).
enum JobOutputs {
    static func training(_ job: JSON, types: TypeMap, extra: [String: Literal] = [:]) throws(PluginError) -> LiteralMap
    {
        var out: LiteralMap = extra.filter { types[$0.key] != nil }
        let blobOutputs = types.filter { if case .blob = $0.value { return true } else { return false } }.map(\.key)
        let modelOutput = types["model"] != nil ? "model" : (blobOutputs.count == 1 ? blobOutputs[0] : nil)
        if let modelOutput, let artifact = job["ModelArtifacts"]?["S3ModelArtifacts"]?.stringValue {
            let blobType: BlobType
            if case .blob(let b)? = types[modelOutput] { blobType = b } else { blobType = BlobType() }
            out[modelOutput] = .blob(BlobValue(uri: artifact, type: blobType))
        }
        if types["job_name"] != nil, let name = job["TrainingJobName"]?.stringValue { out["job_name"] = .string(name) }
        var metrics: [String: Literal] = [:]
        for m in job["FinalMetricDataList"]?.arrayValue ?? [] {
            guard let name = m["MetricName"]?.stringValue, let value = m["Value"]?.numberValue else { continue }
            metrics[name] = .float(value)
            let asOutput = name.map { $0 == ":" || $0 == "/" || $0 == "-" ? "_" : $0 }
            if types[String(asOutput)] == .float { out[String(asOutput)] = .float(value) }
        }
        if case .map? = types["metrics"] { out["metrics"] = .map(metrics) }
        let missing = types.keys.filter { out[$0] == nil && !(types[$0]!.isOptional) }.sorted()
        if !missing.isEmpty {
            throw .user(
                "the training job \(job["TrainingJobName"]?.stringValue ?? "") finished without output"
                    + "\(missing.count == 1 ? "" : "s") \(missing.map { "\"\($0)\"" }.joined(separator: ", "))"
                    + "; final metrics: \(metrics.keys.sorted().joined(separator: ", "))", code: "MissingOutput")
        }
        return out
    }
}

extension LiteralType {
    var isOptional: Bool {
        if case .union(let v) = self { return v.contains(.none) }
        return false
    }
}
