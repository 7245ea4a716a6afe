import AloftTaskIO
import Foundation
import PluginKit
import Synchronization

/// Runs a container task as an OCI container through the Docker Engine API that `podman system service`
/// serves on a unix socket. The attempt's work and output directories, every local input blob, and the
/// task's `mounts` are bind-mounted at the same paths inside the container, so the contract (paths in
/// `inputs.json`, `{{output_dir}}`, paths in `outputs.json`) reads the same on both sides.
///
/// Idempotence: the container's name is derived from the task execution id, so a repeated submit finds the
/// container the first one made. Re-attach: the resource state is the container id. When a container ends,
/// its logs go to `work/stdout.log` and `work/stderr.log`, its exit code to `work/exit_code`, and only then is
/// it removed: a host that crashes in between reads the files on its next poll.
struct PodmanBackend {
    let host: HostServices
    let api: EngineAPI
    let waiters: Waiters

    struct State {
        var id: String
        var name: String

        var bytes: [UInt8] {
            JSONWriter.encode(.object(["backend": .string("podman"), "id": .string(id), "name": .string(name)]))
        }

        init(id: String, name: String) {
            self.id = id
            self.name = name
        }

        init?(_ bytes: [UInt8]) {
            guard let j = try? JSONParser.parse(bytes), j["backend"]?.stringValue == "podman",
                let id = j["id"]?.stringValue,
                let name = j["name"]?.stringValue
            else { return nil }
            self.init(id: id, name: name)
        }
    }

    static func containerName(_ taskExecutionID: String) -> String { "aloft-" + taskExecutionID }

    func submit(
        _ call: TaskCall, _ context: TaskContext, io: TaskIO, spec: ContainerSpec
    ) throws(PluginError) -> [UInt8] {
        guard let image = spec.image else {
            throw .user(
                "task \(context.task.name) runs on podman but names no image; set container.image in the task "
                    + "or image in the plugin config", code: "NoImage")
        }
        let name = Self.containerName(call.executionID)
        if let existing = try api.inspect(name) {  // a repeated submit: the first one got this far
            if existing.status == "created" { try api.start(existing.id) }
            return attach(State(id: existing.id, name: name), call)
        }
        try io.prepare(context)
        try? FileManager.default.removeItem(atPath: io.work + "/exit_code")
        let body = createBody(call, context, io: io, spec: spec, image: image)
        let id: String
        switch try api.create(name: name, body: body) {
        case .created(let created): id = created
        case .exists:
            guard let existing = try api.inspect(name) else {
                throw .system(
                    "container \(name) was reported to exist but cannot be found", code: "EngineAPI", retryable: true)
            }
            id = existing.id
        case .noImage(let message):
            throw .user(
                "image \(image) is not in the container engine (\(message)); build it (scripts/build-image.sh "
                    + "builds localhost/aloft-python:1) or pull it", code: "NoImage")
        }
        try api.start(id)
        return attach(State(id: id, name: name), call)
    }

    func poll(
        _ call: TaskCall, _ state: State, io: TaskIO, types: TypeMap, memoryBytes: Int64?
    ) throws(PluginError) -> PollResult {
        if let ended = Self.recordedEnd(io) { return try result(ended, io: io, types: types, memoryBytes: memoryBytes) }
        guard let container = try api.inspect(state.id) else {
            return .failed(
                .system(
                    "container \(state.name) disappeared without an exit code", code: "ContainerLost", retryable: true))
        }
        if container.running {
            waiters.start(state.id, call.executionID) { api.wait(state.id) }
            return .running(pollAfter: .seconds(1), status: "container \(state.name) \(container.status)")
        }
        // Ended: keep what it left (logs, exit code, the OOM flag) in the work directory, then remove it.
        do {
            let logs = try api.logs(state.id)
            try Data(logs.stdout).write(to: URL(fileURLWithPath: io.work + "/stdout.log"))
            try Data(logs.stderr).write(to: URL(fileURLWithPath: io.work + "/stderr.log"))
            if container.oomKilled { try Data("oom\n".utf8).write(to: URL(fileURLWithPath: io.work + "/oom_killed")) }
            let code = container.exitCode >= 0 ? container.exitCode : 255
            try Data("\(code)\n".utf8).write(to: URL(fileURLWithPath: io.work + "/exit_code.tmp"))
            try FileManager.default.moveItem(atPath: io.work + "/exit_code.tmp", toPath: io.work + "/exit_code")
        } catch let error as PluginError {
            throw error
        } catch {
            throw .system(
                "cannot keep the logs of container \(state.name) in \(io.work): \(error.localizedDescription)",
                code: "Workspace")
        }
        api.remove(state.id)
        guard let ended = Self.recordedEnd(io) else {
            throw .system("the exit code of container \(state.name) was not recorded", code: "Workspace")
        }
        if !container.error.isEmpty {
            host.log(.warning, "container \(state.name): \(container.error)", task: call.executionID)
        }
        return try result(ended, io: io, types: types, memoryBytes: memoryBytes)
    }

    func abort(_ state: State) {
        api.kill(state.id, signal: "SIGTERM")
        let api = self.api
        Thread.detachNewThread {
            // Whatever ignores SIGTERM for five seconds is killed; then the container goes.
            for _ in 0..<50 {
                guard let s = try? api.inspect(state.id), s.running else { break }
                usleep(100_000)
            }
            api.kill(state.id, signal: "SIGKILL")
        }
    }

    /// Removes the container if a poll did not already (an aborted or abandoned attempt).
    func finalize(_ state: State) {
        api.remove(state.id)
    }

    // MARK: - helpers

    private func attach(_ state: State, _ call: TaskCall) -> [UInt8] {
        waiters.start(state.id, call.executionID) { api.wait(state.id) }
        return state.bytes
    }

    private static func recordedEnd(_ io: TaskIO) -> (code: Int32, oom: Bool)? {
        guard let text = try? String(contentsOfFile: io.work + "/exit_code", encoding: .utf8),
            let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return (code, FileManager.default.fileExists(atPath: io.work + "/oom_killed"))
    }

    private func result(
        _ ended: (code: Int32, oom: Bool), io: TaskIO, types: TypeMap, memoryBytes: Int64?
    ) throws(PluginError) -> PollResult {
        if ended.code == 0 && !ended.oom { return .succeeded(try io.outputs(types)) }
        if ended.oom {
            return .failed(
                .user(
                    "the container was killed for memory"
                        + (memoryBytes.map { ": its limit is \($0 / 1_048_576) MiB" } ?? "")
                        + ExitStatus.tail(io.work + "/stderr.log"), code: "OutOfMemory", retryable: true))
        }
        return .failed(ExitStatus.failure(code: ended.code, io: io, memoryBytes: memoryBytes))
    }

    private func createBody(
        _ call: TaskCall, _ context: TaskContext, io: TaskIO, spec: ContainerSpec, image: String
    ) -> JSON {
        var binds = [io.work + ":" + io.work + ":rw", io.out + ":" + io.out + ":rw"]
        var seen = Set([io.work, io.out])
        for path in TaskIO.localPaths(context.inputs) where !seen.contains(path) {
            seen.insert(path)
            binds.append(path + ":" + path + ":ro")
        }
        for mount in spec.mounts where !seen.contains(mount.target) {
            seen.insert(mount.target)
            binds.append("\(mount.source):\(mount.target):\(mount.readOnly ? "ro" : "rw")")
        }
        var environment = spec.env
        environment.merge(io.aloftEnvironment(call, context)) { _, aloft in aloft }
        var hostConfig: [String: JSON] = [
            "Binds": .array(binds.map(JSON.string)),
            "NetworkMode": .string(spec.network),
            "PidsLimit": .integer(4096),
        ]
        if let memory = spec.memoryBytes {
            hostConfig["Memory"] = .integer(memory)
            hostConfig["MemorySwap"] = .integer(memory)  // no swap beyond the limit
        }
        if let cpu = spec.cpus { hostConfig["NanoCpus"] = .integer(Int64(cpu * 1e9)) }
        return .object([
            "Image": .string(image),
            "Cmd": .array(spec.command.map(JSON.string)),
            "Env": .array(environment.sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") }),
            "WorkingDir": .string(io.work),
            "Labels": .object([
                "io.aloft.task-execution": .string(call.executionID),
                "io.aloft.execution": .string(context.identity.execution),
                "io.aloft.node": .string(context.identity.node),
            ]),
            "HostConfig": .object(hostConfig),
        ])
    }
}

/// One thread per running container blocks in the engine's wait call and asks the host for a poll when the
/// container stops, so the end is seen at once instead of at the next poll. At most one per container.
final class Waiters: Sendable {
    private let active = Mutex<Set<String>>([])
    private let host: HostServices

    init(host: HostServices) { self.host = host }

    func start(_ containerID: String, _ taskExecutionID: String, wait: @escaping @Sendable () -> Void) {
        guard active.withLock({ $0.insert(containerID).inserted }) else { return }
        let host = self.host
        Thread.detachNewThread { [self] in
            wait()
            active.withLock { _ = $0.remove(containerID) }
            host.requestPoll(taskExecutionID)
        }
    }
}
