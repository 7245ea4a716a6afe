import FoundationEssentials
import PluginHost

/// A task type's quota across every process sharing the store (`quotas: {bigquery: 10}` in aloft.yaml): at
/// most N of its task calls at once, however many workers run. Slot k of type T is the lease
/// `quota/T/k` (LeaseStore); a call takes a free slot before it starts, renews it while it runs, and releases
/// it at the end. A dead worker's slots expire with their leases (at once when it died on this machine).
struct QuotaSlots: Sendable {
    let store: any LeaseStore
    let limits: [String: Int]
    let ttl: Duration

    /// Runs `body` holding a slot of `taskType` when it has a quota, waiting for one while all are taken
    /// (`waiting` is told once, with who holds them). A cancelled wait (an abort) runs `body` at once: it sees the
    /// cancellation and stops without calling the plugin.
    func holding<T: Sendable>(
        _ taskType: String, owner: String, waiting: (String) -> Void, _ body: () async -> T
    ) async -> T {
        guard let limit = limits[taskType], limit > 0 else { return await body() }
        let holder = LeaseHolder.current(role: "quota for \(owner)")
        var announced = false
        var slot: String?
        while slot == nil && !Task.isCancelled {
            slot = take(taskType, limit: limit, holder: holder)
            if slot == nil {
                if !announced {
                    waiting("waiting for a \(taskType) quota slot (\(limit) in use across workers)")
                    announced = true
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        guard let slot else { return await body() }
        let renewal = Task { [store, ttl] in
            while !Task.isCancelled {
                try? await Task.sleep(for: ttl / 3)
                if Task.isCancelled { return }
                _ = try? store.renewLease(slot, holder: holder, until: Date().addingTimeInterval(ttl.secondsValue))
            }
        }
        let result = await body()
        renewal.cancel()
        try? store.releaseLease(slot, holder: holder)
        return result
    }

    /// The first free slot, taken; nil when every one is held. Slots are tried from a random one on, so
    /// waiters do not all contend for slot 0.
    private func take(_ taskType: String, limit: Int, holder: LeaseHolder) -> String? {
        let start = Int.random(in: 0..<limit)
        for i in 0..<limit {
            let name = "quota/\(taskType)/\((start + i) % limit)"
            let until = Date().addingTimeInterval(ttl.secondsValue)
            // Taken only when the store says so: an error is not a free slot.
            do { if try store.acquireLease(name, holder: holder, until: until) == nil { return name } } catch {
                continue
            }
        }
        return nil
    }
}
