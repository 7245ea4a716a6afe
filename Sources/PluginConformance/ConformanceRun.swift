import AloftSystem
import AloftWire
import FoundationEssentials
public import PluginHost

/// `aloft plugins check FILE`: the file's checks (it loads, ABI, descriptor, init), then the lifecycle
/// checks on each task (`subjects`, or one task of the default interface per task type), then whether every
/// call returned within its budget.
public enum ConformanceRun {
    /// Why the checks could not run at all (not the plugin's fault).
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `subjects`: the tasks to run (from a spec); nil: the default interface on each of the plugin's task types.
    /// `probe`: the runner executable that probes the file and runs the plugin (its verdict cache is not used).
    public static func check(
        path: String, subjects: [ConformanceSubject]?, options: ConformanceOptions,
        services: HostServices, probe: PluginProbe
    ) async throws(SetupError) -> ConformanceReport {
        guard FileManager.default.isExecutableFile(atPath: probe.runner) else {
            throw SetupError(
                description: "the plugin runner \(probe.runner) is missing: build or install "
                    + "\(PluginProbe.runnerName) beside aloft (the checks run the plugin there first)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-check-\(UUID().uuidString)")
            .path
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw SetupError(description: "cannot create the work directory \(work): \(error.systemText)")
        }
        defer { try? FileManager.default.removeItem(atPath: work) }

        let launcher = PluginLauncher(
            path: path, options: options, services: services, runner: probe.runner, directory: work)
        let (loadChecks, descriptor) = await LoadChecks.run(path: path, launcher: launcher)
        var report = ConformanceReport(
            file: path, descriptor: descriptor, isolated: launcher.isIsolated, options: options,
            checks: loadChecks)
        guard let descriptor else { return report }

        let log = CallLog()
        let execution = "check-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let inputs = InputGenerator(directory: work + "/inputs")
        let (chosen, unserved) = select(subjects, taskTypes: descriptor.taskTypes)
        if chosen.isEmpty {
            throw SetupError(
                description: "no task given has a type plugin \(descriptor.id) serves ("
                    + "\(descriptor.taskTypes.joined(separator: ", "))): "
                    + unserved.map(\.detail).joined(separator: "; "))
        }
        report.checks += unserved
        for subject in chosen {
            let context = CheckContext(
                factory: TaskFactory(
                    subject: subject, execution: execution, inputs: inputs, outputDirectory: work + "/outputs"),
                launcher: launcher, log: log, options: options)
            if descriptor.isSynchronous(subject.taskType) {
                // The synchronous tier: the host never submits, polls, aborts or finalizes these.
                report.checks += await SyncChecks(context: context).run()
                continue
            }
            let (checks, baseline) = await LifecycleChecks(context: context).run()
            report.checks += checks
            report.checks.append(await ConcurrencyCheck(context: context).run(baseline: baseline))
        }
        report.checks.append(BudgetCheck.result(log, budget: options.callBudget))
        return report
    }

    /// The subjects the plugin serves, and a skipped check for each it does not.
    static func select(_ subjects: [ConformanceSubject]?, taskTypes: [String]) -> ([ConformanceSubject], [CheckResult])
    {
        guard let subjects else { return (taskTypes.map(ConformanceSubject.standard), []) }
        let served = subjects.filter { taskTypes.contains($0.taskType) }
        let skipped = subjects.filter { !taskTypes.contains($0.taskType) }.map { s in
            CheckResult(
                name: "the task to run", taskType: s.taskType, status: .skip,
                detail: "\(s.origin) has type \(s.taskType), which this plugin does not serve (it serves "
                    + "\(taskTypes.joined(separator: ", ")))",
                rule: .lifecycle)
        }
        return (served, skipped)
    }
}
