public import FoundationEssentials

/// Where the host finds secrets it hands to plugins.
public protocol SecretStore: Sendable {
    /// The secret's bytes, or nil when this store does not have it.
    func secret(named name: String) -> [UInt8]?
}

/// Secrets from the environment: `ALOFT_SECRET_<NAME>`, the name upper-cased with every character that is
/// not a letter or digit turned into `_` (`aws/secret-key` -> `ALOFT_SECRET_AWS_SECRET_KEY`).
public struct EnvironmentSecretStore: SecretStore {
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public static func variableName(for name: String) -> String {
        "ALOFT_SECRET_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    public func secret(named name: String) -> [UInt8]? {
        environment[Self.variableName(for: name)].map { Array($0.utf8) }
    }
}

/// Secrets as files in a directory, one file per secret named after it (Kubernetes-style mounted secrets).
/// A trailing newline is dropped.
public struct DirectorySecretStore: SecretStore {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func secret(named name: String) -> [UInt8]? {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."),
            let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else { return nil }
        var bytes = [UInt8](data)
        if bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }
}

/// The first store that has the secret wins.
public struct ChainedSecretStore: SecretStore {
    public let stores: [any SecretStore]

    public init(_ stores: [any SecretStore]) { self.stores = stores }

    public func secret(named name: String) -> [UInt8]? {
        for store in stores { if let s = store.secret(named: name) { return s } }
        return nil
    }
}
