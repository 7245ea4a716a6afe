import Foundation

extension CLI {
    /// A scratch directory with `spec.yaml`: workflow `w`, one node `a` running a container task that first
    /// appends its shell's pid to `journal` (the crash tests count starts with it), then runs `then`, which
    /// writes the integer output `n`.
    static func journaledTask(_ prefix: String, then: String) throws -> (dir: String, journal: String) {
        let dir = NSTemporaryDirectory() + "aloft-\(prefix)-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let journal = dir + "/starts"
        try """
        tasks:
          t:
            type: container
            outputs: {n: integer}
            container:
              command: [sh, -c, 'echo $$ >> \(journal); \(then)']
        workflows:
          w:
            outputs: {n: {type: integer, from: $a.n}}
            nodes: [{id: a, task: t}]
        """.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        return (dir, journal)
    }
}
