extension TaskError {
    /// What went wrong, in one word: the classification of a ``TaskError``, modelled on swift-nio's
    /// `FileSystemError.Code`.
    ///
    /// A code is either one of the host's own (a closed set, ``Host``, with a static member each:
    /// `.pluginCallOverran`, `.timeout`, ...) or a plugin's: whatever string the plugin put in its
    /// `aloft_error.code` (``plugin(_:)``). Either way its ``rawValue`` is the stable string that crosses the ABI
    /// and the runner frames and that the store persists; a code is identified by that string alone, so a
    /// plugin code spelled like a host code reads as the host code (as it did when codes were strings).
    ///
    /// Control flow switches over ``host``; there is no string literal conversion, so `code == "..."` does not
    /// compile.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case host(Host)
            case plugin(String)
        }

        private let wrapped: Wrapped

        init(_ host: Host) { wrapped = .host(host) }

        /// The code a string names: the host's code of that spelling, or else a plugin's code.
        /// This is how codes come back in from the wire and the store.
        public init(rawValue: String) {
            wrapped = Host(rawValue: rawValue).map(Wrapped.host) ?? .plugin(rawValue)
        }

        /// A plugin's own code, as its `aloft_error.code` spells it (possibly empty: the plugin gave none).
        public init(pluginCode: String) { self.init(rawValue: pluginCode) }

        /// A plugin's own code, e.g. `.plugin("Throttled")`.
        public static func plugin(_ code: String) -> Self { Self(pluginCode: code) }

        /// The stable string: what the ABI, the runner frames and the store carry, and what users read.
        public var rawValue: String {
            switch wrapped {
            case .host(let host): return host.rawValue
            case .plugin(let code): return code
            }
        }

        /// The host's code this is, or nil for a plugin's own code.
        public var host: Host? {
            if case .host(let host) = wrapped { return host }
            return nil
        }

        /// True when the code is empty (a plugin that gave none).
        public var isEmpty: Bool { rawValue.isEmpty }

        public var description: String { rawValue }
    }
}
