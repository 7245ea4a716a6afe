import AloftEngine
import AloftTestSupport
import AloftWire
import Foundation
import PluginHost
import Testing

/// The process backend's wrapper shell sets a task's limits before it runs the command; a limit the shell may
/// not set fails the attempt with an error that says which, and the command never runs. Shown with `aloft run`
/// under a hard address-space limit (prlimit) lower than the task asks for, without CAP_SYS_RESOURCE
/// (setpriv), so that not even root may raise it.
@Suite(.timeLimit(.minutes(5))) struct ContainerLimitTests {
    @Test func aMemoryLimitThatCannotBeSetFailsTheTaskWithoutRunningIt() throws {
        let scratch = try TemporaryDirectory("limit")
        defer { scratch.remove() }
        let dir = scratch.path
        let marker = dir + "/ran"
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, 'touch \(marker); echo 1 > {{output_dir}}/n']
            resources: {memory: 128Gi}
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        // 64 GiB: far more than aloft itself maps, half of what the task asks for.
        var argv = ["/usr/bin/prlimit", "--as=\(64 << 30)", CLI.buildDirectory + "/aloft", "run", "spec.yaml"]
        if getuid() == 0 { argv = ["/usr/bin/setpriv", "--bounding-set", "-sys_resource"] + argv }
        try #require(FileManager.default.isExecutableFile(atPath: argv[0]), "\(argv[0]) is missing")
        let ended = try TestProcess.run(
            argv[0], Array(argv.dropFirst()), cwd: dir, environment: ["HOME": dir, "PATH": "/usr/bin:/bin"])
        let (stdout, stderr) = (ended.stdout, ended.stderr)
        #expect(ended.status != 0, "\(stdout)\(stderr)")

        let store = try SQLiteMetadataStore(path: dir + "/.aloft/metadata.sqlite")
        let execution = try #require(
            try store.executions(project: nil, domain: nil, limit: 1).first, "\(stdout)\(stderr)")
        let a = try #require(try store.nodes(execution: execution.id).first { $0.node == "a" })
        let error = try #require(a.state.lastError)
        #expect(error.code == .plugin("ResourceLimit"))
        #expect(error.kind == .system)
        #expect(error.message.hasPrefix("cannot apply the task's limit on memory 131072 MiB (ulimit -v 134217728); "))
        #expect(error.message.hasSuffix("ulimit: error setting limit (Operation not permitted)"))
        #expect(a.state.systemFailures == 1 && a.state.userFailures == 0)  // not retried: it would fail the same way
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
