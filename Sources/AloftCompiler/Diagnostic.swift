public import LocatedYAML

/// One thing wrong with a spec: where, what, and (in the message) what was expected.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }
}

/// Collects every diagnostic of a compilation, so a file's errors are reported all at once.
struct Diagnostics {
    var all: [Diagnostic] = []

    mutating func error(_ location: SourceLocation, _ message: String) { all.append(Diagnostic(location, message)) }

    mutating func add(_ error: DocumentError) { all.append(Diagnostic(error.location, error.message)) }

    var isEmpty: Bool { all.isEmpty }

    /// In file order, without repeats.
    var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return all.filter { seen.insert($0).inserted }.sorted {
            ($0.location.file, $0.location.line, $0.location.column) < (
                $1.location.file, $1.location.line, $1.location.column
            )
        }
    }
}
