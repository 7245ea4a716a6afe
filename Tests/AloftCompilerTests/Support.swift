import AloftCompiler
import Foundation
import PluginHost

enum Paths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let corpus = repoRoot + "/Tests/AloftCompilerTests/Corpus"
    static let examples = repoRoot + "/examples/workflows"

    static func files(_ dir: String, ext: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(ext) }.sorted().map {
            dir + "/" + $0
        }
    }
}

/// The real router, over the types the built-in echo plugin claims: what `aloft compile` sees by default.
struct EchoRouter: TaskTypeResolver {
    let router = TaskRouter(
        plugins: [(id: "aloft.echo", path: "libAloftPluginEcho.so", taskTypes: ["echo", "noop"])], routes: [:])
    func serves(_ taskType: String) -> Bool { router.pluginID(for: taskType) != nil }
    func explainUnserved(_ taskType: String) -> String { router.explainUnserved(taskType) }
}

let compiler = Compiler(resolver: EchoRouter())
