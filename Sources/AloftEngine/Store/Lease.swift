import AloftSystem
import AloftWire
public import FoundationEssentials
import Glibc

/// Who holds a lease: one process on one machine since one boot. Enough to tell, on the same machine, that
/// a holder is dead for sure (its pid is gone, or reused by another process), and elsewhere to wait for the
/// lease to expire.
public struct LeaseHolder: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    /// /proc/sys/kernel/random/boot_id: pids of another boot mean nothing.
    public var bootID: String
    public var pid: Int32
    /// /proc/<pid>/stat field 22: tells a reused pid from the holder.
    public var processStart: Int64
    /// What the process is, for people: `aloft run`, `aloft resume`, `aloft worker`.
    public var role: String

    public init(host: String, bootID: String, pid: Int32, processStart: Int64, role: String) {
        self.host = host
        self.bootID = bootID
        self.pid = pid
        self.processStart = processStart
        self.role = role
    }

    /// This process.
    public static func current(role: String) -> LeaseHolder {
        let pid = getpid()
        return LeaseHolder(
            host: ProcessInfo.processInfo.hostName, bootID: bootID(), pid: pid, processStart: startTicks(pid) ?? 0,
            role: role)
    }

    public var description: String { "\(role) (pid \(pid) on \(host))" }

    /// True only when the holder certainly no longer runs: it ran on this machine since this boot and its pid
    /// is gone or belongs to another process now. A holder elsewhere is never known dead: its lease expires.
    public var isDeadHere: Bool {
        guard bootID == Self.thisBoot, !bootID.isEmpty else { return false }
        // This very process (the server listing the executions it drives): alive, without reading /proc.
        if pid == Self.thisProcess.pid && processStart == Self.thisProcess.start { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let stat = Self.stat(pid) else { return true }
        return stat.startTicks != processStart || stat.isZombie
    }

    /// The boot id and this process's identity never change while it runs: read once (a page of 50 running
    /// executions asked /proc 150 times for them).
    private static let thisBoot = bootID()
    private static let thisProcess = (pid: getpid(), start: startTicks(getpid()) ?? -1)

    var encoded: String {
        JSONWriter.string(
            .object([
                "host": .string(host), "boot": .string(bootID), "pid": .integer(Int64(pid)),
                "start": .integer(processStart), "role": .string(role),
            ]))
    }

    /// Throws `StoreError.leaseLost` unless `stored`, an execution's lease holder as a store keeps it, is this
    /// holder. Compared as stored text (the same process wrote it, in the same encoding): decoding it on every
    /// group commit cost more than the look.
    func require(stored: String?, for execution: String) throws {
        guard stored != encoded else { return }
        throw StoreError.leaseLost(
            execution: execution, holder: stored.flatMap { LeaseHolder(encoded: $0)?.description } ?? "no process")
    }

    init?(encoded: String) {
        guard let j = try? JSONParser.parse(encoded), let host = j["host"]?.stringValue,
            let pid = j["pid"]?.integerValue
        else { return nil }
        self.init(
            host: host, bootID: j["boot"]?.stringValue ?? "", pid: Int32(pid),
            processStart: j["start"]?.integerValue ?? 0,
            role: j["role"]?.stringValue ?? "aloft")
    }

    static func bootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "").trimmingWhitespace()
    }

    static func startTicks(_ pid: Int32) -> Int64? { stat(pid)?.startTicks }

    /// /proc/<pid>/stat read once: field 22 (start time in ticks) and whether the state (field 3) is zombie.
    static func stat(_ pid: Int32) -> (startTicks: Int64, isZombie: Bool)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let start = Int64(fields[19]) else { return nil }
        return (start, fields[0] == "Z")
    }
}

/// A lease as the store holds it.
public struct LeaseRecord: Sendable, Equatable {
    public var name: String
    public var holder: LeaseHolder
    public var heartbeatAt: Date
    public var expiresAt: Date

    /// Whether someone may be driving what the lease covers: not expired, and not held by a process known dead.
    public var isLive: Bool { expiresAt > Date() && !holder.isDeadHere }
}

/// Leases: one holder at a time for a named thing (`execution/<id>`), renewed by heartbeats, taken over when
/// expired or when the holder is known dead. The same contract for every store (SQLite here, PostgreSQL for
/// workers that share one store).
public protocol LeaseStore: Sendable {
    /// Takes the lease for `holder` until `until` when it is free, expired, already the holder's, or held by a
    /// process known dead; otherwise leaves it and returns the live lease that stands in the way.
    func acquireLease(_ name: String, holder: LeaseHolder, until: Date) throws -> LeaseRecord?
    /// Extends the holder's lease; false when the lease is no longer the holder's (taken over after it
    /// expired): the holder must stop acting on what it covers.
    func renewLease(_ name: String, holder: LeaseHolder, until: Date) throws -> Bool
    func releaseLease(_ name: String, holder: LeaseHolder) throws
    func lease(_ name: String) throws -> LeaseRecord?
    /// The leases of these names that exist, in one query (a page of executions' drivers).
    func leases(_ names: [String]) throws -> [LeaseRecord]
}
