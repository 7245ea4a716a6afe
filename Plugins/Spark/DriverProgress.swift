import AloftHTTP
import PluginKit

/// A running driver's progress from its monitoring REST API (`/api/v1/applications/ID/jobs`), as a user of
/// the Spark UI would read it: jobs and tasks done of total. Nil when the UI does not answer (not up yet, or
/// the driver is finishing): progress is a nicety, never a reason to fail. The first request to a driver's
/// UI can take a few seconds (its REST layer starts then); a client that hung up earlier makes the driver log
/// a stack trace, hence the generous limit.
struct DriverProgress {
    let http: HTTPClient

    func status(ui: String) -> String? {
        guard let apps = get(ui + "/api/v1/applications")?.arrayValue, let id = apps.first?["id"]?.stringValue,
            let jobs = get(ui + "/api/v1/applications/\(id)/jobs")?.arrayValue
        else { return nil }
        if jobs.isEmpty { return "Spark application \(id) started, no job yet" }
        var tasks = 0, done = 0, finishedJobs = 0
        for job in jobs {
            tasks += Int(job["numTasks"]?.integerValue ?? 0)
            done += Int(job["numCompletedTasks"]?.integerValue ?? 0)
            if job["status"]?.stringValue == "SUCCEEDED" { finishedJobs += 1 }
        }
        return "jobs \(finishedJobs)/\(jobs.count) done, tasks \(done)/\(tasks)"
    }

    private func get(_ url: String) -> JSON? {
        guard let response = try? http.send(HTTPRequest("GET", url, timeoutMilliseconds: 5_000, retryable: false)),
            response.isSuccess
        else { return nil }
        return try? JSONParser.parse(response.body)
    }
}
