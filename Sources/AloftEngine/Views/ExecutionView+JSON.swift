public import AloftWire
public import FoundationEssentials
import Glibc

// The JSON form of the views: what `aloft executions list/show --json` print and what `aloft serve` answers.
// Values are Aloft Literal JSON (typed: {"integer": 3}, {"blob": {"uri": ...}}); times are RFC 3339 in UTC.
// A field with no value is left out, never null, so a script tests for presence.

extension ExecutionView {
    public var json: JSON {
        var o: [String: JSON] = [
            "id": .string(id), "project": .string(project), "domain": .string(domain), "workflow": .string(workflow),
            "phase": .string(phase.rawValue), "status": .string(status),
            "labels": .object(labels.mapValues(JSON.string)), "inputs": inputs.json,
            "createdAt": .string(ViewTime.text(createdAt)), "updatedAt": .string(ViewTime.text(updatedAt)),
        ]
        o["driver"] = driver.map(JSON.string)
        o["launchedFrom"] = launchedFrom.map(JSON.string)
        o["recoveredFrom"] = recoveredFrom.map(JSON.string)
        o["outputs"] = outputs?.json
        o["error"] = error.map(JSON.string)
        o["damage"] = damage.map(JSON.string)
        o["nodes"] = nodes.map { .array($0.map(\.json)) }
        return .object(o)
    }
}

extension NodeView {
    public var json: JSON {
        var o: [String: JSON] = [
            "node": .string(node), "phase": .string(phase.rawValue), "attempts": .integer(Int64(attempts)),
            "userFailures": .integer(Int64(userFailures)), "systemFailures": .integer(Int64(systemFailures)),
            "cached": .bool(cached), "updatedAt": .string(ViewTime.text(updatedAt)),
            "logLinks": .array(logLinks.map { .object(["name": .string($0.name), "uri": .string($0.uri)]) }),
        ]
        o["cachedFrom"] = cachedFrom.map(JSON.string)
        o["pluginId"] = pluginID.map(JSON.string)
        o["taskExecutionId"] = taskExecutionID.map(JSON.string)
        o["taskVersion"] = taskVersion.map(JSON.string)
        o["inputs"] = inputs?.json
        o["outputs"] = outputs?.json
        o["failure"] = failure?.json
        o["status"] = status.map(JSON.string)
        o["lastMessage"] = lastMessage.map(JSON.string)
        o["startedAt"] = startedAt.map { .string(ViewTime.text($0)) }
        return .object(o)
    }
}

extension FailureView {
    public var json: JSON {
        .object([
            "kind": .string(kind.rawValue), "retryable": .bool(retryable), "code": .string(code),
            "message": .string(message),
        ])
    }
}

/// Times as views show them: RFC 3339, UTC, to the millisecond (formatted by hand: a list of executions
/// formats two per row, and a new ISO8601DateFormatter each time cost more than the rest of the row; so did
/// String(format:), a quarter of the server's time on a list page under wrk: scripts/bench-server.sh).
public enum ViewTime {
    public static func text(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        let millis = Int(ms - Int64(t) * 1000)
        let year = Int(tm.tm_year) + 1900
        guard (0...9999).contains(year) else {
            let (month, day) = (padded(Int(tm.tm_mon) + 1, 2), padded(Int(tm.tm_mday), 2))
            let (hour, minute, second) = (
                padded(Int(tm.tm_hour), 2), padded(Int(tm.tm_min), 2), padded(Int(tm.tm_sec), 2)
            )
            return "\(padded(year, 4))-\(month)-\(day)T\(hour):\(minute):\(second).\(padded(millis, 3))Z"
        }
        // The usual case written into the string's own 24 bytes: no intermediate strings.
        return String(unsafeUninitializedCapacity: 24) { out in
            var at = 0
            func put(_ value: Int, _ width: Int, then separator: Unicode.Scalar) {
                var v = value
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    out[k] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
                out[at + width] = UInt8(ascii: separator)
                at += width + 1
            }
            put(year, 4, then: "-")
            put(Int(tm.tm_mon) + 1, 2, then: "-")
            put(Int(tm.tm_mday), 2, then: "T")
            put(Int(tm.tm_hour), 2, then: ":")
            put(Int(tm.tm_min), 2, then: ":")
            put(Int(tm.tm_sec), 2, then: ".")
            put(millis, 3, then: "Z")
            return at
        }
    }

    /// `value` in at least `width` characters, zeros in front: what printf's %0Nd writes.
    static func padded(_ value: Int, _ width: Int) -> String {
        if value < 0 { return "-" + padded(-value, width - 1) }
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
