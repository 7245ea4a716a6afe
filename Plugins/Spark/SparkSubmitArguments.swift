import AloftTaskIO
import PluginKit

/// What every backend passes to Spark for one job: its name, its properties (spark_conf, hadoop_conf as
/// spark.hadoop.*, driver and executor resources) and its arguments with the placeholders filled.
struct SparkSubmitArguments: Sendable {
    let name: String
    let properties: [(String, String)]
    let appArgs: [String]

    init(_ job: SparkJobSpec, call: TaskCall, context: TaskContext, io: TaskIO) throws(PluginError) {
        name = Self.appName(call.executionID)
        var p: [(String, String)] = [
            ("spark.app.name", name),
            // A progress bar in stderr.log is noise; the node's status line shows progress instead.
            ("spark.ui.showConsoleProgress", "false"),
        ]
        if let v = job.driver.cores { p.append(("spark.driver.cores", String(v))) }
        if let v = job.driver.memory { p.append(("spark.driver.memory", v)) }
        if let v = job.executor.cores { p.append(("spark.executor.cores", String(v))) }
        if let v = job.executor.memory { p.append(("spark.executor.memory", v)) }
        if let v = job.executor.instances { p.append(("spark.executor.instances", String(v))) }
        p += job.hadoopConf.map { ("spark.hadoop." + $0.0, $0.1) }
        p += job.sparkConf  // the task's own settings win: they come last
        properties = p
        var args: [String] = []
        for a in job.args { args.append(try io.render(a, inputs: context.inputs)) }
        appArgs = args
    }

    /// `aloft-<task execution id>`: the same for every submit of one attempt, so a job is recognisable in
    /// Spark's UIs and logs as the node's.
    static func appName(_ executionID: String) -> String { "aloft-" + executionID }

    /// spark-submit's command line for a job that runs here (`--master local[N]`).
    func localCommand(sparkSubmit: String, master: String, job: SparkJobSpec) -> [String] {
        var argv = [sparkSubmit, "--master", master, "--name", name]
        for (k, v) in properties { argv += ["--conf", "\(k)=\(v)"] }
        if let main = job.mainClass { argv += ["--class", main] }
        if !job.pyFiles.isEmpty {
            argv += ["--py-files", job.pyFiles.map(SparkJobSpec.localPath).joined(separator: ",")]
        }
        if !job.jars.isEmpty { argv += ["--jars", job.jars.joined(separator: ",")] }
        return argv + [SparkJobSpec.localPath(job.application)] + appArgs
    }
}
