import AloftTestSupport
import Foundation
import Testing

/// The seed's heterogeneous pipeline (examples/pima/pima-spark.yaml): preparation on Spark writing typed
/// Parquet datasets, training and scoring as container tasks reading them; then a cached re-run.
@Suite(.timeLimit(.minutes(5))) struct PimaSparkPipelineTests {
    @Test func sparkPreparesParquetDatasetsThatTheContainerTasksTrainOn() throws {
        let dir = NSTemporaryDirectory() + "aloft-pima-spark-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let spec = CLI.repoRoot + "/examples/pima/pima-spark.yaml"
        let env = ["HOME": dir, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(
            SparkPeer.environment
        ) { a, _ in a }
        // Progress from the start (the default waits 30 s, longer than this job).
        try "plugins:\n  config:\n    aloft.spark: {progress_after_seconds: 0}\n".write(
            toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        // A hang guard: on a loaded 2-core VM the driver's JVM alone took 81 s to start (the default is 120 s).
        let first = try CLI.run(["run", spec], cwd: dir, env: env, limit: .seconds(240))
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("  rows = 768\n"), "\(first.stdout)")
        // While the Spark job ran, its status line showed the driver's progress.
        #expect(first.stdout.contains("status     prepare: jobs "), "\(first.stdout)")
        let line = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("  metrics = ") })
        let metrics =
            try JSONSerialization.jsonObject(with: Data(line.dropFirst("  metrics = ".count).utf8)) as! [String: Double]
        #expect(metrics["accuracy"]! > 0.7 && metrics["auc"]! > 0.75, "\(metrics)")
        // The datasets are Parquet directories Spark wrote.
        let blobs = dir + "/.aloft/blobs/default/development"
        let execution = try #require(try FileManager.default.contentsOfDirectory(atPath: blobs).first)
        let train = "\(blobs)/\(execution)/prepare/0/out/train"
        #expect(try FileManager.default.contentsOfDirectory(atPath: train).contains { $0.hasSuffix(".parquet") })

        let second = try CLI.run(["run", spec, "-i", "epochs=800"], cwd: dir, env: env)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("succeeded  prepare (cached)"), "\(second.stdout)")
        #expect(!second.stdout.contains("train (cached)"))
    }
}
