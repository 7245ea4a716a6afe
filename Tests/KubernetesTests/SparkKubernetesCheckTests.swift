import AloftCompiler
import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// What the Spark plugin's compile-time check says about the kubernetes backend (no server involved).
@Suite(.timeLimit(.minutes(5))) struct SparkKubernetesCheckTests {
    @Test func theKubernetesBackendWithoutAnImageIsACompileError() async throws {
        let dir = try TemporaryDirectory.make("spark-k8s-check")
        try FileManager.default.copyItem(
            atPath: Fixtures.buildDirectory + "/libAloftPluginSpark.so", toPath: dir + "/libAloftPluginSpark.so")
        let host = await Fixtures.host(directory: dir) {
            $0.pluginConfig["aloft.spark"] = .object(["backend": .string("kubernetes")])
        }
        defer { host.shutdown() }
        let result = Compiler(resolver: PluginTaskTypeResolver(host: host)).compile(
            text: """
                tasks:
                  t: {type: pyspark, config: {application: "local:///opt/job.py"}}
                workflows:
                  w: {nodes: [{id: a, task: t}]}
                """, path: dir + "/spec.yaml")
        #expect(result.spec == nil)
        #expect(
            result.diagnostics.contains {
                $0.message.contains(
                    #"the kubernetes backend needs the Spark image: set image in plugins.config."aloft.spark".kubernetes"#
                )
            }, "\(result.diagnostics)")
    }
}
