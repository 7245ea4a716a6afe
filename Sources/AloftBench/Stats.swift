import Foundation

/// Latency samples and their summary.
struct Samples {
    var nanos: [UInt64] = []

    mutating func add(_ n: UInt64) { nanos.append(n) }

    func percentile(_ p: Double) -> Double {
        let sorted = nanos.sorted()
        guard !sorted.isEmpty else { return 0 }
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
    }

    var summary: String {
        String(
            format: "median %7.2f µs   p90 %7.2f µs   p99 %7.2f µs   (n=%d)", percentile(0.5), percentile(0.9),
            percentile(0.99), nanos.count)
    }
}

@inline(__always) func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Peak resident set size of this process, from /proc.
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "0") ?? 0
    return kb / 1024
}

/// With `--json` anywhere on the command line, each measurement is also printed as one JSON line, the schema
/// scripts/bench-compare.sh reads: {"system":"aloft","workload":...,"n":...,"seconds":...,"per_item_us":...,"peak_rss_mb":...}.
func reportJSON(workload: String, n: Int, seconds: Double) {
    guard CommandLine.arguments.contains("--json") else { return }
    print(
        "{\"system\":\"aloft\",\"workload\":\"\(workload)\",\"n\":\(n),"
            + String(
                format: "\"seconds\":%.6f,\"per_item_us\":%.3f,\"peak_rss_mb\":%.1f}",
                seconds, seconds / Double(max(n, 1)) * 1e6, peakRSSMegabytes()))
}
