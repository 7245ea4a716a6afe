import AloftWire
import PluginKit

/// The resource state the host stores for a query job: which job, where, and whether it was inserted (a
/// job refused for quota is inserted again by poll, which reports waiting-for-resources meanwhile).
struct JobState: Sendable, Equatable {
    var project: String
    var location: String?
    var jobID: String
    var inserted: Bool
    /// Quota refusals so far (for the wait before the next insert).
    var quotaWaits: Int = 0

    var bytes: [UInt8] {
        var o: [String: JSON] = ["project": .string(project), "job_id": .string(jobID), "inserted": .bool(inserted)]
        if let location { o["location"] = .string(location) }
        if quotaWaits > 0 { o["quota_waits"] = .integer(Int64(quotaWaits)) }
        return JSONWriter.encode(.object(o))
    }

    init(project: String, location: String?, jobID: String, inserted: Bool) {
        self.project = project
        self.location = location
        self.jobID = jobID
        self.inserted = inserted
    }

    init(_ bytes: [UInt8]) throws(PluginError) {
        guard let j = try? JSONParser.parse(bytes), let project = j["project"]?.stringValue,
            let jobID = j["job_id"]?.stringValue
        else {
            throw .system("the BigQuery job state is unreadable", code: "BadState", retryable: false)
        }
        self.init(
            project: project, location: j["location"]?.stringValue, jobID: jobID,
            inserted: j["inserted"]?.boolValue ?? true)
        quotaWaits = Int(j["quota_waits"]?.integerValue ?? 0)
    }

    /// `aloft_` and the task execution id ([a-z0-9-], at most 63): the same id for every submit of one task
    /// execution, so a repeated insert is answered 409 and the job is fetched instead.
    static func jobID(_ taskExecutionID: String) -> String {
        "aloft_"
            + String(
                taskExecutionID.unicodeScalars.map { s -> Character in
                    (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_" || s == "-"
                        ? Character(s) : "_"
                })
    }
}
