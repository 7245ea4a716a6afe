/// What a probe child was doing, reported to the host before each step so that a child that dies says where.
public enum ProbeStage: String, Sendable, Codable, Equatable {
    case dlopen
    case entry
    case descriptor
    case initializing = "init"
    case shutdown
    case finished

    /// For messages: "crashed with SIGSEGV while <phrase>".
    var phrase: String {
        switch self {
        case .dlopen: return "loading the library (dlopen and its constructors)"
        case .entry: return "calling the entry function"
        case .descriptor: return "reading the descriptor"
        case .initializing: return "calling init"
        case .shutdown: return "calling shutdown after init"
        case .finished: return "exiting after every check passed"
        }
    }
}
