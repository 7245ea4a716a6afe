public import AloftWire

/// The deterministic id of one task execution (project, domain, execution, node, attempt): plugins use it
/// as the external job name, which is what makes submit idempotent across host restarts.
///
/// Form: lowercase `[a-z0-9-]`, starts with a letter, at most 63 characters (a Kubernetes name, a SageMaker
/// or BigQuery job name, a container name). Readable when it fits (`<execution>-<node>-<attempt>`);
/// otherwise shortened with a hash of the full identity, so distinct executions never share an id.
public enum TaskExecutionID {
    public static let maxLength = 63

    public static func make(_ identity: ExecutionIdentity) -> String {
        let full = "\(identity.project)/\(identity.domain)/\(identity.execution)/\(identity.node)/\(identity.attempt)"
        let hash = FNV1a.hex64(full.utf8)
        let readable = sanitize("\(identity.execution)-\(identity.node)-\(identity.attempt)")
        // The hash always goes in: the readable part alone loses project/domain and the characters
        // sanitize drops, either of which could make two executions collide.
        let suffix = "-" + String(hash.prefix(12))
        let room = maxLength - suffix.count
        var head = Substring(readable.prefix(room))
        while head.hasPrefix("-") { head.removeFirst() }
        if head.first.map({ !$0.isLetter }) ?? true { head = ("a-" + head).prefix(room) }
        while head.hasSuffix("-") { head.removeLast() }
        return head + suffix
    }

    static func sanitize(_ s: String) -> String {
        var out = ""
        var lastDash = false
        for ch in s.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                lastDash = false
            } else if !lastDash {
                out += "-"
                lastDash = true
            }
        }
        return out
    }
}
