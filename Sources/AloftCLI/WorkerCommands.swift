import AloftCommandLine
import AloftEngine
import AloftSystem
import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import PluginHost

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queued executions (`run --detach`, `launch --detach`) as one of the workers sharing a store.",
        discussion: """
            Workers on one machine or many share one store (PostgreSQL for many machines; a SQLite store works \
            for workers on one). Each claims queued executions under a lease it renews while they run; when a \
            worker dies, another takes its executions over once their leases expire and resumes them: running \
            tasks are re-attached, never submitted again. SIGTERM drains: no new claims, running executions get \
            --grace-seconds to finish, the rest are handed back for another worker to resume at once.
            """,
        subcommands: [Run.self, Status.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Claim and run queued executions (the default).")

        @Option(help: "Executions this worker runs at once.") var concurrency = 4
        @Option(
            help:
                "Seconds an execution's lease lives without a heartbeat (renewed every third of it): how soon another worker takes over after this one dies."
        ) var leaseSeconds: Double = 30
        @Option(help: "Seconds a draining worker (SIGTERM) lets its executions finish before handing them back.")
        var graceSeconds: Double = 30
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var host: HostOptions

        func validate() throws {
            guard concurrency >= 1 else { throw ValidationError("--concurrency \(concurrency): at least 1") }
            guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds \(leaseSeconds): at least 1") }
            guard graceSeconds >= 0 else { throw ValidationError("--grace-seconds \(graceSeconds): not negative") }
        }

        func run() async throws {
            let (store, blobs) = try storeOptions.open()
            let pluginHost = try await HostStartup.start(host)
            var options = EngineOptions()
            options.role = "aloft worker"
            options.leaseTTL = .milliseconds(Int64(leaseSeconds * 1000))
            options.quotas = pluginHost.configuration.quotas
            let engine = ExecutionEngine(host: pluginHost, store: store, blobs: blobs, options: options)
            let worker = Worker(
                engine: engine, store: store,
                options: Worker.Options(
                    concurrency: concurrency, grace: .milliseconds(Int64(graceSeconds * 1000))),
                log: WorkerLog.line)
            let signals = Self.drainOnSignals(worker, grace: graceSeconds)
            defer { signals.forEach { $0.cancel() } }
            WorkerLog.line(
                "worker pid \(getpid()) on \(worker.holder.host): concurrency \(concurrency), lease \(leaseSeconds) s")
            switch await worker.run() {
            case .drained:
                WorkerLog.line("drained: no execution left running")
                pluginHost.shutdown()
            case .handedBack(let ids):
                WorkerLog.line("handed back \(ids.count) running execution(s): " + ids.joined(separator: ", "))
                // Exits without the host's shutdown: the handed-back executions' tasks keep running for the
                // worker that resumes them.
                Glibc.exit(0)
            case .lostLease(let id, let other, let ids):
                WorkerLog.line(
                    "stopping: \(other) took over \(id) (this worker was stopped or cut off from the store for longer "
                        + "than the lease); handed back \(ids.count) other execution(s)")
                Glibc.exit(1)
            }
        }

        /// SIGTERM or SIGINT: stop claiming and drain.
        private static func drainOnSignals(_ worker: Worker, grace: Double) -> [any DispatchSourceSignal] {
            [SIGTERM, SIGINT].map { sig in
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    WorkerLog.line(
                        "draining: no new claims; \(worker.running.count) running execution(s) get \(grace) s to finish"
                    )
                    worker.drain()
                }
                source.resume()
                return source
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Who holds what: each live worker (and any other process driving executions), its executions.")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.openMetadata()
            let workers = try store.leases(prefix: "worker/")
            let executions = try store.leases(prefix: "execution/")
            var held: [String: [String]] = [:]
            for e in executions where e.isLive {
                held[Self.key(e.holder), default: []].append(String(e.name.dropFirst("execution/".count)))
            }
            var rows = [["HOLDER", "HOST", "PID", "STATE", "LAST HEARTBEAT", "EXECUTIONS"]]
            var shown = Set<String>()
            for w in workers where w.isLive || held[Self.key(w.holder)] != nil {
                shown.insert(Self.key(w.holder))
                rows.append(Self.row(w, state: w.isLive ? "live" : "lease expired", held[Self.key(w.holder)] ?? []))
            }
            // Executions driven by processes that are not workers (`aloft run`, `aloft resume`).
            for e in executions where e.isLive && !shown.contains(Self.key(e.holder)) {
                shown.insert(Self.key(e.holder))
                rows.append(Self.row(e, state: "live", held[Self.key(e.holder)] ?? []))
            }
            if rows.count == 1 {
                print("no live worker and no execution running")
                return
            }
            print(PluginReport.table(rows), terminator: "")
        }

        private static func key(_ h: LeaseHolder) -> String { "\(h.host)/\(h.pid)/\(h.processStart)" }

        private static func row(_ lease: LeaseRecord, state: String, _ executions: [String]) -> [String] {
            let age = Int(Date().timeIntervalSince(lease.heartbeatAt).rounded())
            let list =
                executions.isEmpty
                ? "-"
                : "\(executions.count): " + executions.sorted().prefix(5).joined(separator: ", ")
                    + (executions.count > 5 ? ", ..." : "")
            return [lease.holder.role, lease.holder.host, String(lease.holder.pid), state, "\(age) s ago", list]
        }
    }
}

/// A worker's log: one line at a time on stdout, written at once (workers run under supervisors that read it).
enum WorkerLog {
    @Sendable static func line(_ text: String) {
        StandardStreams.writeOutput(text + "\n")
    }
}
