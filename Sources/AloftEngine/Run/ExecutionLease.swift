import FoundationEssentials
import PluginHost

/// The lease that makes one process the driver of an execution: taken before the engine touches its nodes,
/// renewed by a heartbeat while it runs, released when it ends. A second `aloft resume` of a live execution
/// is refused with who holds it; a dead holder's execution can be resumed at once on its machine (its pid is
/// gone) and elsewhere when the lease expires.
struct ExecutionLease: Sendable {
    let store: any LeaseStore
    let execution: String
    let holder: LeaseHolder
    let ttl: Duration

    static func name(_ execution: String) -> String { "execution/" + execution }

    var name: String { Self.name(execution) }

    /// Takes the lease or explains who holds it.
    func acquire() throws {
        if let other = try store.acquireLease(name, holder: holder, until: Date().addingTimeInterval(ttl.secondsValue))
        {
            let age = Int(Date().timeIntervalSince(other.heartbeatAt).rounded())
            throw ExecutionEngine.Failure(
                message: "execution \(execution) is being run by \(other.holder) (last heartbeat \(age) s ago); "
                    + "abort it with `aloft executions abort \(execution)`, or resume it once that process has ended"
                    + (other.holder.host == holder.host
                        ? "" : " or its lease expires (\(Int(ttl.secondsValue)) s after its last heartbeat)"))
        }
    }

    /// Renews the lease every third of its life until cancelled or lost. Losing it (another process took it
    /// over after it expired: this one was stopped, or cut off from the store, for longer than the lease lives)
    /// calls `lost` once with why and the new holder ("no process" when the lease is gone); the other process
    /// drives the execution from then on, and this one must stop acting on it.
    func heartbeat(
        log: @escaping @Sendable (String) -> Void, lost: @escaping @Sendable (_ why: String, _ to: String) -> Void
    ) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: ttl / 3)
                if Task.isCancelled { return }
                do {
                    if try !store.renewLease(name, holder: holder, until: Date().addingTimeInterval(ttl.secondsValue)),
                        // A renewal under way when the run ended finds the lease released by the run itself.
                        !Task.isCancelled
                    {
                        let other = (try? store.lease(name))??.holder.description ?? "no process"
                        lost(Self.lostMessage(execution, to: other), other)
                        return
                    }
                } catch {
                    log("cannot renew the lease of execution \(execution): \(error)")
                }
            }
        }
    }

    func release() { try? store.releaseLease(name, holder: holder) }

    /// What a process that lost an execution's lease to `other` says (its heartbeat failed to renew it, or the
    /// store refused a write of it).
    static func lostMessage(_ execution: String, to other: String) -> String {
        "lost the lease of execution \(execution) to \(other) (this process was stopped, or cut off from the "
            + "store, for longer than the lease); it stopped driving it without touching its tasks"
    }
}

extension LeaseStore {
    /// Who drives this execution now, when a live process does; nil for one whose driver died (`orphaned`).
    public func liveDriver(of execution: String) throws -> LeaseHolder? {
        guard let lease = try lease(ExecutionLease.name(execution)), lease.isLive else { return nil }
        return lease.holder
    }
}
