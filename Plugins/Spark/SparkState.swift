import PluginKit

/// The resource state of a Spark job: which backend runs it and how to find it again after a host restart.
enum SparkState: Sendable, Equatable {
    /// spark-submit as a local process; the driver's UI once its log has named the port.
    case local(pid: Int32, startTicks: Int64, ui: String?)
    /// A driver on a standalone cluster, submitted through the master's REST server.
    case standalone(submissionID: String, restURL: String, masterUI: String?)
    /// A SparkApplication run by the Spark operator on Kubernetes.
    case kubernetes(server: String, namespace: String, name: String)

    var namespaceName: String {
        if case .kubernetes(_, let namespace, _) = self { return namespace }
        return ""
    }

    var bytes: [UInt8] {
        switch self {
        case .local(let pid, let start, let ui):
            var j: [String: JSON] = [
                "backend": .string("local"), "pid": .integer(Int64(pid)), "start": .integer(start),
            ]
            if let ui { j["ui"] = .string(ui) }
            return JSONWriter.encode(.object(j))
        case .standalone(let id, let rest, let masterUI):
            var j: [String: JSON] = [
                "backend": .string("standalone"), "submission": .string(id), "rest": .string(rest),
            ]
            if let masterUI { j["master_ui"] = .string(masterUI) }
            return JSONWriter.encode(.object(j))
        case .kubernetes(let server, let namespace, let name):
            return JSONWriter.encode(
                .object([
                    "backend": .string("kubernetes"), "server": .string(server), "namespace": .string(namespace),
                    "name": .string(name),
                ]))
        }
    }

    init(_ bytes: [UInt8]) throws(PluginError) {
        let j = try? JSONParser.parse(bytes)
        switch j?["backend"]?.stringValue {
        case "local"?:
            if let pid = j?["pid"]?.integerValue, let start = j?["start"]?.integerValue {
                self = .local(pid: Int32(pid), startTicks: start, ui: j?["ui"]?.stringValue)
                return
            }
        case "standalone"?:
            if let id = j?["submission"]?.stringValue, let rest = j?["rest"]?.stringValue {
                self = .standalone(submissionID: id, restURL: rest, masterUI: j?["master_ui"]?.stringValue)
                return
            }
        case "kubernetes"?:
            if let server = j?["server"]?.stringValue, let namespace = j?["namespace"]?.stringValue,
                let name = j?["name"]?.stringValue
            {
                self = .kubernetes(server: server, namespace: namespace, name: name)
                return
            }
        default: break
        }
        throw .system("the Spark job's state is unreadable", code: "BadState", retryable: false)
    }
}
