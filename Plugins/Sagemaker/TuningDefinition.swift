import PluginKit

/// A hyperparameter tuning job: the task's `config.tuning` on top of its training definition.
///
///     config:
///       tuning:
///         strategy: Bayesian                       # Random, Grid, Hyperband
///         objective: {type: Maximize, metric: "validation:auc"}
///         max_jobs: 20
///         max_parallel_jobs: 2
///         ranges:
///           eta: {continuous: [0.05, 0.5], scaling: Auto}
///           max_depth: {integer: [2, 8]}
///           booster: {categorical: [gbtree, dart]}
struct TuningDefinition {
    let body: [String: JSON]

    init(_ context: TaskContext, training: TrainingDefinition, name: String) throws(PluginError) {
        let task = context.task.name
        guard let tuning = context.task.config["tuning"] else {
            throw .user("task \(task) has no config.tuning", code: "NoTuning")
        }
        guard let objective = tuning["objective"], let metric = objective["metric"]?.stringValue else {
            throw .user(
                "task \(task): config.tuning.objective needs a metric (and a type, Maximize or Minimize)",
                code: "BadTuning")
        }
        var integer: [JSON] = [], continuous: [JSON] = [], categorical: [JSON] = []
        for (param, range) in (tuning["ranges"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let scaling = JSON.string(range["scaling"]?.stringValue ?? "Auto")
            if let bounds = range["integer"]?.arrayValue, bounds.count == 2 {
                integer.append(
                    .object([
                        "Name": .string(param), "MinValue": .string(TrainingDefinition.text(bounds[0])),
                        "MaxValue": .string(TrainingDefinition.text(bounds[1])), "ScalingType": scaling,
                    ]))
            } else if let bounds = range["continuous"]?.arrayValue, bounds.count == 2 {
                continuous.append(
                    .object([
                        "Name": .string(param), "MinValue": .string(TrainingDefinition.text(bounds[0])),
                        "MaxValue": .string(TrainingDefinition.text(bounds[1])), "ScalingType": scaling,
                    ]))
            } else if let values = range["categorical"]?.arrayValue, !values.isEmpty {
                categorical.append(
                    .object([
                        "Name": .string(param), "Values": .array(values.map { .string(TrainingDefinition.text($0)) }),
                    ]))
            } else {
                throw .user(
                    "task \(task): range \(param) must be {integer: [min, max]}, {continuous: [min, max]} or {categorical: [values]}",
                    code: "BadTuning")
            }
        }
        guard !(integer.isEmpty && continuous.isEmpty && categorical.isEmpty) else {
            throw .user("task \(task): config.tuning.ranges names no hyperparameter to tune", code: "BadTuning")
        }
        var ranges: [String: JSON] = [:]
        if !integer.isEmpty { ranges["IntegerParameterRanges"] = .array(integer) }
        if !continuous.isEmpty { ranges["ContinuousParameterRanges"] = .array(continuous) }
        if !categorical.isEmpty { ranges["CategoricalParameterRanges"] = .array(categorical) }
        body = [
            "HyperParameterTuningJobName": .string(name),
            "HyperParameterTuningJobConfig": .object([
                "Strategy": .string(tuning["strategy"]?.stringValue ?? "Bayesian"),
                "HyperParameterTuningJobObjective": .object([
                    "Type": .string(objective["type"]?.stringValue ?? "Maximize"),
                    "MetricName": .string(metric),
                ]),
                "ResourceLimits": .object([
                    "MaxNumberOfTrainingJobs": .integer(tuning["max_jobs"]?.integerValue ?? 10),
                    "MaxParallelTrainingJobs": .integer(tuning["max_parallel_jobs"]?.integerValue ?? 1),
                ]),
                "ParameterRanges": .object(ranges),
            ]),
            "TrainingJobDefinition": .object(training.body(staticHyperparameters: "StaticHyperParameters")),
        ]
    }
}
