import AloftTestSupport
import Foundation
import Testing

@testable import PluginHost

/// Plugin threads carry their name to the OS, where ps -L, top -H and debuggers read it: `ap-` and the last 12
/// bytes of the plugin id, because Linux keeps 15 bytes of a thread's name (docs/plugin-abi.md, section 4).
@Suite(.timeLimit(.minutes(5))) struct ThreadNameTests {
    /// The names of this process's threads, as the kernel has them.
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .newlines) }
    }

    @Test
    func aPluginsThreadsAreNamedAfterItInTheKernel() async throws {
        #if os(Linux)
        let host = try await Fixtures.host(
            directory: Fixtures.directory(["c-echo": "libc_echo.so"]), configure: { $0.callOptions.threads = 3 })
        defer { host.shutdown() }
        _ = try host.plugin(forTaskType: "echo").get()
        // A thread names itself as it starts: give the pool a moment.
        var names: [String] = []
        for _ in 0..<1500 {
            names = Self.threadNames()
            if names.filter({ $0 == "ap-ample.c-echo" }).count >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(names.filter { $0 == "ap-ample.c-echo" }.count >= 3, "\(names)")
        #expect(names.allSatisfy { $0.utf8.count <= 15 })
        #endif
    }

    @Test func theNameKeepsTheEndOfALongIdWithinFifteenBytes() {
        #expect(PluginThreadPool.osThreadName("example.c-echo") == "ap-ample.c-echo")
        #expect(PluginThreadPool.osThreadName("aloft.spark") == "ap-aloft.spark")
        #expect(PluginThreadPool.osThreadName("loader") == "ap-loader")
        #expect(PluginThreadPool.osThreadName(String(repeating: "x", count: 200)).utf8.count == 15)
    }
}
