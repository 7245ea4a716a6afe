import Foundation

/// A file's bytes, reading no more than one byte past a limit: a spec named on the command line or imported
/// may be a multi-gigabyte file or a device that never ends.
enum BoundedRead {
    enum Outcome {
        case bytes(Data)
        case unreadable
        case tooLarge
    }

    static func contents(of path: String, limit: Int) -> Outcome {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            return data.count > limit ? .tooLarge : .bytes(data)
        } catch {
            return .unreadable
        }
    }
}
