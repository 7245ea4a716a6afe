public import AloftWire
public import PluginHost

/// What `aloft plugins check` found: every check's result, readable (`text`) or for machines (`json`).
public struct ConformanceReport: Sendable {
    public var file: String
    /// The plugin's descriptor, when the file loaded.
    public var descriptor: PluginDescriptor?
    /// Whether the task calls ran in runner processes (or in the checking process).
    public var isolated: Bool
    public var options: ConformanceOptions
    public var checks: [CheckResult]

    /// True when no check failed (warnings and skips are not failures).
    public var passed: Bool { !checks.contains { $0.status == .fail } }

    public func count(_ status: CheckResult.Status) -> Int { checks.filter { $0.status == status }.count }

    public var summary: String {
        var parts = ["\(count(.pass)) passed", "\(count(.fail)) failed"]
        if count(.warn) > 0 { parts.append("\(count(.warn)) warned") }
        if count(.skip) > 0 { parts.append("\(count(.skip)) skipped") }
        return parts.joined(separator: ", ")
    }

    public var text: String {
        var out = "file:        \(file)\n"
        if let d = descriptor {
            out +=
                "plugin:      \(d.id) \(d.version) (ABI \(d.abi)), task types \(d.taskTypes.joined(separator: ", "))\n"
        }
        out +=
            "calls:       \(isolated ? "in plugin runner processes" : "in this process")"
            + ", budget \(options.callBudget.secondsValue) s each, \(options.threads) threads\n\n"
        var heading = ""
        for check in checks {
            let group =
                check.taskType.map { "task type \($0)" } ?? (check.rule == .callBudget ? "every task call" : "the file")
            if group != heading {
                out += "\(heading.isEmpty ? "" : "\n")\(group):\n"
                heading = group
            }
            out += "\(check.status.rawValue)  \(check.name)\n"
            if !check.detail.isEmpty { out += "      \(check.detail)\n" }
            if check.status == .fail || check.status == .warn {
                out += "      rule: \(check.rule.statement)\n      see:  \(check.rule.reference)\n"
            }
        }
        out += "\n\(passed ? "PASSED" : "FAILED"): \(summary)\n"
        return out
    }

    public var json: JSON {
        var o: [String: JSON] = [
            "file": .string(file),
            "passed": .bool(passed),
            "isolated": .bool(isolated),
            "call_budget_seconds": .float(options.callBudget.secondsValue),
            "summary": .object([
                "passed": .integer(Int64(count(.pass))), "failed": .integer(Int64(count(.fail))),
                "warned": .integer(Int64(count(.warn))), "skipped": .integer(Int64(count(.skip))),
            ]),
            "checks": .array(checks.map(Self.json)),
        ]
        if let d = descriptor {
            o["plugin"] = .object([
                "id": .string(d.id), "version": .string(d.version), "abi": .string(d.abi),
                "task_types": .array(d.taskTypes.map(JSON.string)),
            ])
        }
        return .object(o)
    }

    static func json(_ check: CheckResult) -> JSON {
        var o: [String: JSON] = [
            "name": .string(check.name), "status": .string(check.status.rawValue.lowercased()),
            "detail": .string(check.detail),
            "rule": .object([
                "id": .string(check.rule.id), "statement": .string(check.rule.statement),
                "doc": .string(check.rule.reference),
            ]),
        ]
        if let type = check.taskType { o["task_type"] = .string(type) }
        return .object(o)
    }
}
