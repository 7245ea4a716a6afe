import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// SIGKILL `aloft run` while a Spark job runs on the local backend; `aloft resume` polls the same
/// spark-submit (pid + start time from the stored state) and collects its outputs: the job's own journal
/// shows it started once.
@Suite(.timeLimit(.minutes(5))) struct SparkResumeTests {
    @Test func resumeReattachesToTheRunningSparkJobWhichRanOnce() throws {
        let dir = NSTemporaryDirectory() + "aloft-spark-resume-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/journal"
        try """
        import json, os, sys, time
        from pyspark.sql import SparkSession
        with open("\(journal)", "a") as f: f.write("start %d\\n" % os.getpid())
        spark = SparkSession.builder.getOrCreate()
        time.sleep(6)
        n = spark.range(int(sys.argv[1])).count()
        json.dump({"n": n}, open(os.path.join(sys.argv[2], "outputs.json"), "w"))
        """.write(toFile: dir + "/job.py", atomically: true, encoding: .utf8)
        try """
        plugins:
          config:
            aloft.spark: {spark_home: "\(try SparkPeer.home())", python: "\(try SparkPeer.python())", poll_seconds: 0.2}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          count:
            type: pyspark
            inputs: {n: integer}
            outputs: {n: integer}
            config: {application: "{{spec_dir}}/job.py", args: ["{{inputs.n}}", "{{output_dir}}"]}
        workflows:
          w:
            inputs: {n: integer}
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: count, inputs: {n: $inputs.n}}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let p = try CLI.start(["run", "spec.yaml", "-i", "n=4242"], cwd: dir, env: SparkPeer.environment)
        let id = CLI.killAfterSubmit(p, dir: dir, timeout: 180) {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").hasSuffix("\n")
        }
        let execution = try #require(
            id,
            "the job never started; \((try? String(contentsOfFile: dir + "/aloft-stderr.log", encoding: .utf8)) ?? "")")
        let driver = try #require(
            Int32(
                String(
                    try String(contentsOfFile: journal, encoding: .utf8).split(separator: " ")[1].prefix { $0.isNumber }
                )))
        #expect(kill(driver, 0) == 0, "the job ended with the host; it should outlive it")
        let resumed = try CLI.run(
            ["resume", execution], cwd: dir, env: ["HOME": dir].merging(SparkPeer.environment) { a, _ in a })
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("succeeded: \(execution)\n  n = 4242\n"), "\(resumed.stdout)")
        #expect(
            try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").count == 1,
            "the job started again")
        let show = try CLI.run(["executions", "show", execution], cwd: dir, env: ["HOME": dir])
        #expect(show.stdout.contains("a driver stderr: file://"), "\(show.stdout)")
    }
}
