import AloftWire
import FoundationEssentials

/// Input values generated from an interface's types, so a plugin can be run without a workflow. Values of
/// different `variant`s differ where the type allows (integers, floats, strings, booleans, enums), which lets
/// the concurrency check tell tasks apart. Blobs and datasets point at files and directories created under
/// `directory`.
struct InputGenerator: Sendable {
    /// Where blob and dataset inputs are created.
    let directory: String

    /// The task's inputs: the given ones (variant 0 only), the others generated.
    func inputs(for subject: ConformanceSubject, variant: Int) -> LiteralMap {
        var out: LiteralMap = [:]
        for (name, type) in subject.template.interface.inputs {
            if variant == 0, let given = subject.givenInputs[name] {
                out[name] = given
            } else {
                out[name] = value(of: type, name: name, variant: variant)
            }
        }
        return out
    }

    func value(of type: LiteralType, name: String, variant: Int) -> Literal {
        switch type {
        case .none: return .none
        case .integer: return .integer(42 + Int64(variant))
        case .float: return .float(0.5 + Double(variant))
        case .string: return .string("conformance-\(variant)")
        case .boolean: return .boolean(variant % 2 == 0)
        case .datetime: return .datetime(Timestamp(seconds: 1_800_000_000 + Int64(variant)))
        case .duration: return .duration(.seconds(1 + variant))
        case .binary: return .binary(Array("aloft-\(variant)".utf8))
        case .structure: return .structure(["check": .string("conformance"), "variant": .integer(Int64(variant))])
        case .blob(let blob):
            return .blob(BlobValue(uri: fileURI(name: name, directory: blob.dimensionality == .directory), type: blob))
        case .dataset(let dataset):
            return .dataset(DatasetValue(uri: fileURI(name: name, directory: true) + "/", format: dataset.format))
        case .list(let element): return .list([value(of: element, name: name + "-0", variant: variant)])
        case .map(let element): return .map(["key": value(of: element, name: name + "-key", variant: variant)])
        case .enumeration(let values): return values.isEmpty ? .none : .enumeration(values[variant % values.count])
        case .union(let variants):
            guard let first = variants.first(where: { $0 != .none }) else { return .none }
            return value(of: first, name: name, variant: variant)
        }
    }

    /// A file (or directory) that exists, for a blob or dataset input to point at.
    private func fileURI(name: String, directory isDirectory: Bool) -> String {
        let path = "\(directory)/\(name)"
        let manager = FileManager.default
        if isDirectory {
            try? manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        } else if !manager.fileExists(atPath: path) {
            try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = manager.createFile(atPath: path, contents: Data("aloft plugins check\n".utf8))
        }
        return "file://" + path
    }
}
