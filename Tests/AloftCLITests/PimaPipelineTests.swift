import AloftTestSupport
import Foundation
import Testing

/// The main job: the seed's Pima pipeline on the process backend, and its cached re-run.
@Suite(.timeLimit(.minutes(10))) struct PimaPipelineTests {
    @Test func runsEndToEndThenOnlyRetrainsForANewHyperparameter() throws {
        let dir = NSTemporaryDirectory() + "aloft-pima-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let spec = CLI.repoRoot + "/examples/pima/pima.yaml"
        let env = ["HOME": dir, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let first = try CLI.run(["run", spec], cwd: dir, env: env)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        // Real metrics of a real model: logistic regression on this split lands near 0.76 accuracy, 0.80 AUC.
        let line = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("  metrics = ") })
        let metrics =
            try JSONSerialization.jsonObject(with: Data(line.dropFirst("  metrics = ".count).utf8)) as! [String: Double]
        #expect(Set(metrics.keys) == ["accuracy", "precision", "recall", "auc"])
        #expect(metrics["accuracy"]! > 0.7 && metrics["auc"]! > 0.75)
        #expect(first.stdout.contains("  model = file://\(dir)/.aloft/blobs/default/development/"))

        let second = try CLI.run(["run", spec, "-i", "epochs=800"], cwd: dir, env: env)
        #expect(second.status == 0)
        #expect(second.stdout.contains("succeeded  prepare (cached)"))
        #expect(second.stdout.contains("  running    train\n"))
        #expect(!second.stdout.contains("train (cached)"))
    }
}
