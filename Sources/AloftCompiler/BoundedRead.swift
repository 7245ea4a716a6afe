import AloftSystem
import FoundationEssentials

/// A file's bytes, reading no more than one byte past a limit: a spec named on the command line or imported
/// may be a multi-gigabyte file or a device that never ends.
enum BoundedRead {
    enum Outcome {
        case bytes(Data)
        case unreadable
        case tooLarge
    }

    static func contents(of path: String, limit: Int) -> Outcome {
        guard let file = ReadableFile(path: path) else { return .unreadable }
        defer { file.close() }
        do {
            let bytes = try file.read(upTo: limit + 1)
            return bytes.count > limit ? .tooLarge : .bytes(Data(bytes))
        } catch {
            return .unreadable
        }
    }
}
