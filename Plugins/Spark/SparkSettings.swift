import Foundation
import PluginKit

/// The Spark plugin's config (aloft.yaml, plugins.config."aloft.spark"):
///   spark_home:   where Spark is (bin/spark-submit); default $SPARK_HOME, else the pyspark that
///                 scripts/setup.sh installed ($ALOFT_PEERS/spark), else python3's pyspark
///   python:       the Python that runs PySpark drivers and executors; default the one beside that pyspark
///   backend:      local (default), standalone or kubernetes; a task's own `backend` wins
///   local_cores:  N in local[N] (default 2)
///   master:       spark://HOST:PORT of the standalone master
///   rest_url:     the master's REST submission server (default http://HOST:6066 of the master)
///   master_ui:    the master's web UI, for status and links (default http://HOST:8080 of the master)
///   java_home:    JAVA_HOME for spark-submit (default the host's)
///   work_dir:     where attempts run when the host's output location is not a local directory
///   poll_seconds: how often a running job is observed (default 1)
///   kubernetes:   the cluster and the SparkApplication's settings (SparkOnKubernetesSettings)
///   progress_after_seconds: how long a local job runs before its driver's UI is asked for progress
///                 (default 30: the UI's REST layer starts on the first request and costs the driver about a
///                 second of the driver's CPU; 0 asks from the start)
struct SparkSettings: Sendable {
    var sparkHome: String?
    var python: String?
    var backend = "local"
    var localCores = 2
    var master: String?
    var restURL: String?
    var masterUI: String?
    var javaHome: String?
    var workDir = NSTemporaryDirectory() + "aloft-spark"
    var pollSeconds = 1.0
    var progressAfterSeconds = 30.0
    var kubernetes: SparkOnKubernetesSettings

    init(_ config: JSON, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PluginError) {
        guard config.objectValue != nil else {
            throw .user("the Spark plugin's config must be a mapping", code: "BadConfig")
        }
        let known = [
            "spark_home", "python", "backend", "local_cores", "master", "rest_url", "master_ui", "java_home",
            "work_dir", "poll_seconds",
            "progress_after_seconds", "kubernetes",
        ]
        for key in (config.objectValue ?? [:]).keys.sorted() where !known.contains(key) {
            throw .user(
                "unknown key \"\(key)\" in plugins.config.\"aloft.spark\"; expected one of \(known.joined(separator: ", "))",
                code: "BadConfig")
        }
        sparkHome = config["spark_home"]?.stringValue ?? environment["SPARK_HOME"] ?? Self.installedPySpark(environment)
        python = config["python"]?.stringValue ?? sparkHome.flatMap(Self.venvPython)
        backend = config["backend"]?.stringValue ?? backend
        guard SparkJobSpec.backends.contains(backend) else {
            throw .user(
                "backend \"\(backend)\" in plugins.config.\"aloft.spark\" is not known; expected local, standalone or kubernetes",
                code: "BadConfig")
        }
        if let n = config["local_cores"]?.integerValue { localCores = max(1, Int(n)) }
        master = config["master"]?.stringValue
        let masterHost = master.flatMap { URL(string: $0.replacingOccurrences(of: "spark://", with: "http://"))?.host }
        restURL = config["rest_url"]?.stringValue ?? masterHost.map { "http://\($0):6066" }
        masterUI = config["master_ui"]?.stringValue ?? masterHost.map { "http://\($0):8080" }
        javaHome = config["java_home"]?.stringValue ?? environment["JAVA_HOME"]
        workDir = config["work_dir"]?.stringValue ?? workDir
        pollSeconds = config["poll_seconds"]?.numberValue ?? pollSeconds
        progressAfterSeconds = config["progress_after_seconds"]?.numberValue ?? progressAfterSeconds
        kubernetes = try SparkOnKubernetesSettings(config["kubernetes"])
    }

    /// spark-submit, or a clear error saying where it was looked for.
    func sparkSubmit() throws(PluginError) -> String {
        guard let home = sparkHome else {
            throw .system(
                "no Spark installation: set spark_home in plugins.config.\"aloft.spark\" or SPARK_HOME, "
                    + "or install pyspark (scripts/setup.sh does)", code: "SparkNotFound", retryable: false)
        }
        let path = home + "/bin/spark-submit"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw .system(
                "spark-submit is not at \(path) (spark_home \(home))", code: "SparkNotFound", retryable: false)
        }
        return path
    }

    /// The Spark version the REST server is told (`clientSparkVersion`): from the installation's spark-core jar.
    var sparkVersion: String {
        let jars = (sparkHome.map { (try? FileManager.default.contentsOfDirectory(atPath: $0 + "/jars")) ?? [] }) ?? []
        guard let core = jars.first(where: { $0.hasPrefix("spark-core_") && $0.hasSuffix(".jar") }),
            let dash = core.lastIndex(of: "-")
        else { return "4.0.0" }
        return String(core[core.index(after: dash)...].dropLast(".jar".count))
    }

    /// The pyspark package in the venv scripts/setup-peers.sh makes: $ALOFT_PEERS/spark/lib/python3.*/site-packages/pyspark.
    static func installedPySpark(_ environment: [String: String]) -> String? {
        let peers = environment["ALOFT_PEERS"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/aloft-peers"
        let lib = peers + "/spark/lib"
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib) else { return nil }
        for v in versions.sorted().reversed() where v.hasPrefix("python3") {
            let home = lib + "/" + v + "/site-packages/pyspark"
            if FileManager.default.fileExists(atPath: home + "/bin/spark-submit") { return home }
        }
        return nil
    }

    /// VENV/bin/python for a pyspark installed at VENV/lib/python3.X/site-packages/pyspark.
    static func venvPython(_ sparkHome: String) -> String? {
        let parts = sparkHome.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 4, parts[parts.count - 2] == "site-packages" else { return nil }
        let venv = parts.dropLast(4).joined(separator: "/")
        let python = venv + "/bin/python"
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }
}
