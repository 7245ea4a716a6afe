import PluginKit

/// The training part of a SageMaker task, from the task's `config`, the plugin config's defaults and the
/// inputs: blob and dataset inputs (s3:// URIs) become channels named after them; other inputs become
/// hyperparameters (as text, as SageMaker wants them) beside the static ones in the config.
///
///     config:
///       algorithm: {name: xgboost, version: "1.7-1"}   # or image: <ECR image URI>
///       role: arn:aws:iam::...:role/...                 # default: the plugin config's role
///       instance_type: ml.m5.large
///       instance_count: 1
///       volume_size_gb: 10
///       max_runtime: 3600                               # seconds
///       output_path: s3://bucket/prefix                 # default: the plugin config's, else the node's blob prefix
///       input_mode: File
///       content_type: text/csv                          # for every channel
///       hyperparameters: {objective: "binary:logistic"}
struct TrainingDefinition {
    var image: String
    var role: String
    var instanceType: String
    var instanceCount: Int64
    var volumeSizeGB: Int64
    var maxRuntimeSeconds: Int64
    var outputPath: String
    var inputMode: String
    var contentType: String?
    var hyperparameters: [String: String]
    var channels: [(name: String, uri: String)]

    init(_ context: TaskContext, defaults: SagemakerDefaults) throws(PluginError) {
        let config = context.task.config
        let task = context.task.name
        if let image = config["image"]?.stringValue {
            self.image = image
        } else if let algorithm = config["algorithm"], let name = algorithm["name"]?.stringValue {
            let version = algorithm["version"]?.stringValue ?? "latest"
            guard let image = defaults.image(algorithm: name, version: version) else {
                throw .user(
                    "task \(task): no image known for algorithm \(name) \(version) in \(defaults.region); "
                        + "set config.image, or plugin config algorithms.\(name).\"\(version)\"",
                    code: "UnknownAlgorithm")
            }
            self.image = image
        } else {
            throw .user("task \(task) needs config.algorithm {name, version} or config.image", code: "NoImage")
        }
        guard let role = config["role"]?.stringValue ?? defaults.role else {
            throw .user("task \(task) needs an execution role: config.role or the plugin config's role", code: "NoRole")
        }
        self.role = role
        instanceType = config["instance_type"]?.stringValue ?? defaults.instanceType
        instanceCount = config["instance_count"]?.integerValue ?? 1
        volumeSizeGB = config["volume_size_gb"]?.integerValue ?? 10
        maxRuntimeSeconds = config["max_runtime"]?.integerValue ?? 86_400
        inputMode = config["input_mode"]?.stringValue ?? "File"
        contentType = config["content_type"]?.stringValue
        let prefix = context.outputPrefix.hasPrefix("s3://") ? context.outputPrefix : nil
        guard let output = config["output_path"]?.stringValue ?? defaults.outputPath ?? prefix else {
            throw .user(
                "task \(task) needs an S3 output path: config.output_path, the plugin config's output_path, "
                    + "or an s3:// blob store", code: "NoOutputPath")
        }
        outputPath = output
        hyperparameters = [:]
        for (k, v) in config["hyperparameters"]?.objectValue ?? [:] { hyperparameters[k] = Self.text(v) }
        channels = []
        for name in context.inputs.keys.sorted() {
            switch context.inputs[name]! {
            case .blob(let b): channels.append((name, try Self.s3(b.uri, input: name, task: task)))
            case .dataset(let d): channels.append((name, try Self.s3(d.uri, input: name, task: task)))
            case .none: continue
            case let other: hyperparameters[name] = Self.text(other.plain)
            }
        }
    }

    private static func s3(_ uri: String, input: String, task: String) throws(PluginError) -> String {
        guard uri.hasPrefix("s3://") else {
            throw .user(
                "task \(task): input \"\(input)\" is \(uri); SageMaker channels read from S3, so it must be an s3:// URI",
                code: "NotS3")
        }
        return uri
    }

    static func text(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        default: return JSONWriter.string(v)
        }
    }

    /// The `TrainingJobDefinition`-shaped part shared by training and tuning jobs.
    func body(staticHyperparameters key: String) -> [String: JSON] {
        [
            "AlgorithmSpecification": .object([
                "TrainingImage": .string(image), "TrainingInputMode": .string(inputMode),
            ]),
            "RoleArn": .string(role),
            "InputDataConfig": .array(
                channels.map { channel in
                    var c: [String: JSON] = [
                        "ChannelName": .string(channel.name),
                        "DataSource": .object([
                            "S3DataSource": .object([
                                "S3DataType": .string("S3Prefix"), "S3Uri": .string(channel.uri),
                                "S3DataDistributionType": .string("FullyReplicated"),
                            ])
                        ]),
                    ]
                    if let contentType { c["ContentType"] = .string(contentType) }
                    return .object(c)
                }),
            "OutputDataConfig": .object(["S3OutputPath": .string(outputPath)]),
            "ResourceConfig": .object([
                "InstanceType": .string(instanceType), "InstanceCount": .integer(instanceCount),
                "VolumeSizeInGB": .integer(volumeSizeGB),
            ]),
            "StoppingCondition": .object(["MaxRuntimeInSeconds": .integer(maxRuntimeSeconds)]),
            key: .object(hyperparameters.mapValues(JSON.string)),
        ]
    }
}

/// The plugin config's defaults.
struct SagemakerDefaults: Sendable {
    var region = "us-east-1"
    var endpoint: String?
    var role: String?
    var outputPath: String?
    var instanceType = "ml.m5.large"
    var pollSeconds = 30.0
    /// algorithm -> version -> image; AWS's XGBoost images in us-east-1 are known without configuration.
    var algorithms: [String: [String: String]] = [:]

    func image(algorithm: String, version: String) -> String? {
        if let image = algorithms[algorithm]?[version] { return image }
        if algorithm == "xgboost", region == "us-east-1" {
            return "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:\(version)"
        }
        return nil
    }
}
