public import PluginKit

#if canImport(Glibc)
import Glibc
import FoundationEssentials
#endif

/// How an exit code reads as an error, the same for every backend.
public enum ExitStatus {
    public static func failure(code: Int32, io: TaskIO, memoryBytes: Int64?) -> PluginError {
        let stderr = tail(io.work + "/stderr.log")
        if code > 128 {
            let signal = code - 128
            if signal == SIGKILL, let memoryBytes {
                return .user(
                    "the task was killed (SIGKILL), most likely for memory: its limit is \(memoryBytes / 1_048_576) MiB"
                        + stderr,
                    code: "OutOfMemory", retryable: true)
            }
            return .user("the task was killed by signal \(signal)" + stderr, code: "Signal\(signal)", retryable: true)
        }
        if stderr.contains("MemoryError") || stderr.contains("Cannot allocate memory") {
            return .user(
                "the task ran out of memory (exit code \(code))"
                    + (memoryBytes.map { "; its limit is \($0 / 1_048_576) MiB" } ?? "") + stderr,
                code: "OutOfMemory", retryable: true)
        }
        return .user("the task exited with code \(code)" + stderr, code: "ExitCode\(code)", retryable: true)
    }

    /// The last lines of a log, for error messages.
    public static func tail(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        let lines = text.split(separator: "\n").suffix(5)
        return lines.isEmpty ? "" : "; stderr ends with:\n" + lines.joined(separator: "\n")
    }
}
