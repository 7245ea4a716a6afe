public import Foundation

/// A peer written in Python (an HTTP server, a replay server) that prints `PORT <n>` once it listens. Its
/// stderr goes to /dev/null: the test runner reads the tests' own stderr until every holder closes it.
public enum PythonPeer {
    public static func start(_ script: String, _ arguments: [String]) throws -> (process: Process, port: Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            p.terminate()
            throw PeerDidNotStart(description: "\(script) did not start (printed \"\(text)\")")
        }
        return (p, port)
    }

    public struct PeerDidNotStart: Error, CustomStringConvertible {
        public let description: String
    }
}
