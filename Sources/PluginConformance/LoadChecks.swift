import AloftWire
import PluginHost

/// The checks of the file as a whole, before any task runs: it loads (first in a probe process, so a file
/// that crashes, hangs or exits while loading is reported with what it did), its ABI version, its
/// descriptor, and init within its budget. Reuses the host's loader and probe: the words are the refusals'.
enum LoadChecks {
    /// The four checks, in order, and the plugin's descriptor when it passed them all.
    static func run(
        path: String, launcher: PluginLauncher
    ) async -> (checks: [CheckResult], descriptor: PluginDescriptor?) {
        let catalog = await PluginCatalog.load(
            configuration: launcher.configuration, services: launcher.services,
            files: [(path, .config)], fallbackConfig: launcher.options.pluginConfig,
            probe: launcher.probe)
        guard let record = catalog.records.first else {
            return ([check(.loads, .fail, "\(path) was not loaded")], nil)
        }
        if case .loaded(let plugin) = record.status { plugin.shutdown() }
        let failed: (rule: ConformanceRule, refusal: PluginRefusal)? = record.refusal.map { (rule(for: $0), $0) }
        let steps: [(ConformanceRule, String)] = [
            (
                .loads,
                "loaded in a probe process (dlopen, constructors, entry function), then "
                    + (launcher.isIsolated ? "in a plugin runner process" : "in this one")
            ),
            (.abiVersion, record.descriptor.map { "ABI \($0.abi)" } ?? ""),
            (
                .descriptor,
                record.descriptor.map { d in
                    "id \(d.id), version \(d.version.isEmpty ? "\"\"" : d.version), task types \(d.taskTypes.joined(separator: ", "))"
                } ?? ""
            ),
            (
                .initWithinBudget,
                "init returned ALOFT_OK within \(launcher.options.initBudget.secondsValue) s with plugin config "
                    + JSONWriter.string(launcher.options.pluginConfig)
            ),
        ]
        var checks: [CheckResult] = []
        var reached = true
        for (rule, passed) in steps {
            if !reached {
                checks.append(check(rule, .skip, "not reached"))
            } else if let failed, failed.rule == rule {
                checks.append(check(rule, .fail, "refused (\(failed.refusal.kind)): \(failed.refusal)"))
                reached = false
            } else {
                checks.append(check(rule, .pass, passed))
            }
        }
        return (checks, failed == nil ? record.descriptor : nil)
    }

    /// The rule a refusal breaks.
    static func rule(for refusal: PluginRefusal) -> ConformanceRule {
        switch refusal {
        case .abiMajorMismatch, .abiMinorNewer: return .abiVersion
        case .malformedDescriptor: return .descriptor
        case .initFailed, .initOverran: return .initWithinBudget
        case .probeFailed(let failure):
            switch failure {
            case .crashed(_, let stage), .exited(_, let stage), .timedOut(_, let stage):
                switch stage {
                case .descriptor: return .descriptor
                case .initializing, .shutdown: return .initWithinBudget
                default: return .loads
                }
            case .unprobed: return .loads
            }
        default: return .loads
        }
    }

    static let names: [ConformanceRule: String] = [
        .loads: "the file loads (first in a probe process)",
        .abiVersion: "ABI version",
        .descriptor: "descriptor",
        .initWithinBudget: "init within its budget",
    ]

    private static func check(_ rule: ConformanceRule, _ status: CheckResult.Status, _ detail: String) -> CheckResult {
        CheckResult(name: names[rule] ?? rule.id, taskType: nil, status: status, detail: detail, rule: rule)
    }
}
