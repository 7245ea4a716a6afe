/// SageMaker job names derived from the task execution id, so a repeated submit names the same job.
/// Training jobs take 63 characters, tuning jobs 32: the readable head is cut, the id's hash tail kept.
enum JobNames {
    static func training(_ taskExecutionID: String) -> String { fit(taskExecutionID, limit: 63) }
    static func tuning(_ taskExecutionID: String) -> String { fit(taskExecutionID, limit: 32) }

    static func fit(_ id: String, limit: Int) -> String {
        // Only [a-zA-Z0-9-], starting and ending with an alphanumeric, no "--" runs needed.
        var clean = String(id.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        while clean.contains("--") { clean = clean.replacingAll("--", "-") }
        guard clean.count > limit else { return clean.trimmingDashes() }
        let tail = clean.split(separator: "-").last.map(String.init) ?? ""
        let head = String(clean.prefix(max(1, limit - tail.count - 1))).trimmingDashes()
        return head + "-" + tail
    }
}

extension String {
    fileprivate func trimmingDashes() -> String {
        var s = Substring(self)
        while s.first == "-" { s.removeFirst() }
        while s.last == "-" { s.removeLast() }
        return String(s)
    }

    fileprivate func replacingAll(_ a: String, _ b: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
