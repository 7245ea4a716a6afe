public import AloftWire
public import Foundation

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

/// Times as views show them: RFC 3339, UTC, to the millisecond.
public enum ViewTime {
    public static func text(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
