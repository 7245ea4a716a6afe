import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// Kill the host after a SageMaker job was submitted, resume: the job is described, not created again.
/// moto completes jobs at once, so the job's answers are recorded ones (Tests/SagemakerTests/Fixtures/recorded_aws.py).
@Suite(.timeLimit(.minutes(5))) struct SagemakerResumeTests {
    @Test func resumeDescribesTheSubmittedJobInsteadOfCreatingItOnRecordedResponses() throws {
        let dir = NSTemporaryDirectory() + "aloft-sm-resume-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scenario = dir + "/scenario.json", journal = dir + "/journal"
        func answers(_ describe: [String]) throws {
            let json: [String: Any] = [
                "SageMaker.DescribeTrainingJob": describe.map { ["fixture": $0] },
                "SageMaker.CreateTrainingJob": [["fixture": "create-training-job.json"]],
            ]
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: scenario))
        }
        try answers(["describe-training-job-unknown.json", "describe-inprogress.json"])
        let (server, port) = try PythonPeer.start(
            CLI.repoRoot + "/Tests/SagemakerTests/Fixtures/recorded_aws.py", [scenario, journal])
        defer { server.terminate() }
        try """
        plugins:
          config:
            aloft.sagemaker: {endpoint: "http://127.0.0.1:\(port)", role: "arn:aws:iam::123456789012:role/r", output_path: "s3://m/out", poll_seconds: 0.05}
        """.write(toFile: dir + "/aloft.yaml", atomically: true, encoding: .utf8)
        try """
        tasks:
          train:
            type: sagemaker-training
            inputs: {train: blob<csv>}
            outputs: {model: blob}
            config: {algorithm: {name: xgboost, version: "1.7-1"}}
        workflows:
          w:
            inputs: {train: blob<csv>}
            outputs: {model: {type: blob, from: $a.model}}
            nodes: [{id: a, task: train, inputs: {train: $inputs.train}}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let credentials = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-shown"]
        let p = try CLI.start(
            ["run", "spec.yaml", "-i", "train=s3://aloft-data/pima/train.csv"], cwd: dir, env: credentials)
        let id = CLI.killAfterSubmit(p, dir: dir) {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").contains("SageMaker.CreateTrainingJob")
        }
        let execution = try #require(id, "the job was never submitted")
        try answers(["describe-training-job-completed.json"])
        let resumed = try CLI.run(
            ["resume", execution], cwd: dir, env: ["HOME": dir].merging(credentials) { a, _ in a })
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(
            resumed.stdout.contains("model = s3://aloft-data/pima/output/aloft-pima-train-0001/output/model.tar.gz"))
        let calls = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ")[0]
        }
        #expect(calls.filter { $0 == "SageMaker.CreateTrainingJob" }.count == 1)
        #expect(calls.last == "SageMaker.DescribeTrainingJob")
        #expect(!resumed.stdout.contains("not-shown") && !resumed.stderr.contains("not-shown"))
    }
}
