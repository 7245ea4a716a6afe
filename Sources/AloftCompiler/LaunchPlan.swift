import AloftTyping
public import AloftWire
public import LocatedYAML

/// A checked launch plan: a workflow plus default inputs (a launch may override them), fixed inputs (it
/// may not), labels, and an optional cron schedule.
public struct CompiledLaunchPlan: Sendable {
    public var name: String
    public var workflow: String
    public var defaults: LiteralMap
    public var fixed: LiteralMap
    public var labels: [String: String]
    public var schedule: CronSchedule?
    public var description: String?
    public var location: SourceLocation

    /// The inputs of a launch: the plan's defaults, then what the launch gives, then the fixed inputs. A
    /// given input that the plan fixes is refused, naming the value it is fixed to.
    public func inputs(given: LiteralMap) -> Result<LiteralMap, ReferenceFailure> {
        let refused = given.keys.filter { fixed[$0] != nil }.sorted()
        guard refused.isEmpty else {
            return .failure(
                ReferenceFailure(
                    refused.map {
                        "input \"\($0)\" is fixed by launch plan \(name) to \(GraphRenderer.plain(fixed[$0]!))"
                    }
                    .joined(separator: "; ")))
        }
        return .success(defaults.merging(given) { _, new in new }.merging(fixed) { _, f in f })
    }
}

extension CompiledLaunchPlan {
    public var json: JSON {
        var o: [String: JSON] = [
            "name": .string(name), "workflow": .string(workflow), "defaults": defaults.json, "fixed": fixed.json,
            "labels": .object(labels.mapValues(JSON.string)), "location": .string(location.description),
        ]
        if let schedule { o["schedule"] = .string(schedule.expression) }
        if let description { o["description"] = .string(description) }
        return .object(o)
    }

    public init(json: JSON, path: String) throws(WireError) {
        guard let name = json["name"]?.stringValue, let workflow = json["workflow"]?.stringValue else {
            throw WireError(path: path, reason: "a launch plan needs name and workflow")
        }
        self.name = name
        self.workflow = workflow
        defaults = try LiteralMap(json: json["defaults"] ?? .object([:]), path: path + ".defaults")
        fixed = try LiteralMap(json: json["fixed"] ?? .object([:]), path: path + ".fixed")
        labels = (json["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        if let s = json["schedule"]?.stringValue {
            do { schedule = try CronSchedule(parsing: s) } catch {
                throw WireError(path: path + ".schedule", reason: error.message)
            }
        } else {
            schedule = nil
        }
        description = json["description"]?.stringValue
        location = SourceLocation(parsing: json["location"]?.stringValue ?? "")
    }
}

/// Checks launch plans against the compiled workflows: the workflow exists, every default and fixed input is
/// one of its inputs with a value of its type, no input is both, the schedule parses, and a scheduled plan
/// leaves no required input without a value (nobody is there to give it).
struct LaunchPlanChecker {
    let workflows: [String: CompiledWorkflow]
    /// Workflows that exist but did not compile (their errors are reported already): not checked further.
    let known: Set<String>
    private let knownNames: NameCatalog

    init(workflows: [String: CompiledWorkflow], known: Set<String>) {
        self.workflows = workflows
        self.known = known
        knownNames = NameCatalog(known)
    }

    func check(_ lp: LaunchPlanSpec, _ d: inout Diagnostics) -> CompiledLaunchPlan? {
        let before = d.all.count
        let what = "launch plan \"\(lp.name.value)\""
        var schedule: CronSchedule?
        if let s = lp.schedule {
            do { schedule = try CronSchedule(parsing: s.value) } catch {
                d.error(s.location, "schedule of \(what): \(error.message)")
            }
        }
        guard let wname = lp.workflow else { return nil }
        guard let w = workflows[wname.value] else {
            if !known.contains(wname.value) {
                d.error(
                    wname.location,
                    "\(what): unknown workflow \"\(wname.value)\"; \(knownNames.hint(wname.value))workflows: \(knownNames.listed)"
                )
            }
            return nil
        }
        let inputNames = NameCatalog(w.interface.inputs.keys)
        func literals(
            _ members: [(key: String, keyLocation: SourceLocation, value: LocatedValue)], _ kind: String
        ) -> LiteralMap {
            var out: LiteralMap = [:]
            for m in members {
                guard let type = w.interface.inputs[m.key] else {
                    d.error(
                        m.keyLocation,
                        "\(kind) input \"\(m.key)\" of \(what) is not an input of workflow \(w.name); inputs: \(inputNames.listed)"
                    )
                    continue
                }
                switch LiteralCoercion.literal(m.value, as: type) {
                case .success(let l): out[m.key] = l
                case .failure(let e): d.error(e.location, "\(kind) input \"\(m.key)\" of \(what): \(e.message)")
                }
            }
            return out
        }
        let defaults = literals(lp.defaults, "default")
        let fixed = literals(lp.fixed, "fixed")
        let defaulted = Set(lp.defaults.map(\.key))
        for m in lp.fixed where defaulted.contains(m.key) {
            d.error(m.keyLocation, "input \"\(m.key)\" of \(what) is both a default and fixed; keep one")
        }
        if let schedule, let s = lp.schedule {
            let missing = w.interface.inputs.filter { name, type in
                defaults[name] == nil && fixed[name] == nil && w.defaults[name] == nil && !type.acceptsNone
            }.keys.sorted()
            if !missing.isEmpty {
                d.error(
                    s.location,
                    "\(what) runs on schedule \"\(schedule)\" but leaves required input\(missing.count == 1 ? "" : "s") "
                        + "\(missing.joined(separator: ", ")) without a value; give \(missing.count == 1 ? "it" : "them") under defaults or fixed"
                )
            }
        }
        guard d.all.count == before else { return nil }
        return CompiledLaunchPlan(
            name: lp.name.value, workflow: wname.value, defaults: defaults, fixed: fixed, labels: lp.labels,
            schedule: schedule, description: lp.description, location: lp.name.location)
    }
}
