import Foundation

/// What a driver's stderr says: the UI it started, and why it failed.
enum DriverLog {
    /// The driver's UI address, from Spark's "Successfully started service 'SparkUI' on port N" line.
    static func uiAddress(_ path: String) -> String? {
        guard let head = read(path, fromEnd: false, limit: 256 * 1024) else { return nil }
        guard let r = head.range(of: #"started service 'SparkUI' on port [0-9]+"#, options: .regularExpression) else {
            return nil
        }
        let port = head[r].split(separator: " ").last.map(String.init) ?? ""
        return "http://127.0.0.1:\(port)"
    }

    /// The driver's last error, from its logs in `work`.
    static func lastError(work: String) -> String {
        lastError(
            stdout: lines(read(work + "/stdout.log", fromEnd: true, limit: 128 * 1024)),
            stderr: lines(read(work + "/stderr.log", fromEnd: true, limit: 128 * 1024)))
    }

    /// A Python traceback's last lines (PySpark's driver prints them to stdout), else the last stderr lines
    /// naming an exception, else stderr's last lines.
    static func lastError(stdout: [String], stderr: [String]) -> String {
        if let traceback = traceback(stdout) ?? traceback(stderr) { return traceback }
        let errors = stderr.filter {
            ($0.contains("Exception") || $0.contains("Error")) && !$0.contains(" INFO ") && !$0.hasPrefix("\t")
        }
        return (errors.isEmpty ? stderr : errors).suffix(5).joined(separator: "\n")
    }

    static func lines(_ text: String?) -> [String] {
        (text ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private static func traceback(_ lines: [String]) -> String? {
        guard let start = lines.lastIndex(where: { $0.hasPrefix("Traceback (most recent call last)") }) else {
            return nil
        }
        let traceback = lines[start...].prefix { !$0.contains(" INFO ") && !$0.contains(" WARN ") }
        return traceback.suffix(8).joined(separator: "\n")
    }

    private static func read(_ path: String, fromEnd: Bool, limit: Int) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        if fromEnd, let size = try? handle.seekToEnd(), size > UInt64(limit) {
            try? handle.seek(toOffset: size - UInt64(limit))
        } else {
            try? handle.seek(toOffset: 0)
        }
        guard let data = try? handle.read(upToCount: limit) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
