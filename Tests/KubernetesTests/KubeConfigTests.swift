import AloftKubernetes
import AloftTestSupport
import AloftWire
import Foundation
import Testing

/// kubeconfig and in-cluster configuration: what is read, and errors that name the file, the field and the cause.
@Suite struct KubeConfigTests {
    static let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    static func write(_ text: String, in dir: TemporaryDirectory, name: String = "config") throws -> String {
        let path = dir.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func kubeconfig(user: String, cluster: String? = nil, current: String = "dev") -> String {
        let encoded = Base64.encode(Array(ca.utf8))
        return """
            apiVersion: v1
            kind: Config
            current-context: \(current)
            clusters:
            - name: c1
              cluster:
            \(cluster ?? "    server: https://10.0.0.1:6443\n    certificate-authority-data: \(encoded)")
            contexts:
            - name: dev
              context: {cluster: c1, user: u1, namespace: team-a}
            - name: other
              context: {cluster: c1, user: u1}
            users:
            - name: u1
              user:
            \(user)
            """
    }

    @Test func theCurrentContextsClusterTokenAndNamespace() throws {
        let dir = try TemporaryDirectory("kubeconfig")
        defer { dir.remove() }
        let path = try Self.write(Self.kubeconfig(user: "    token: s3cr3t-token"), in: dir)
        let c = try KubeConfigFile.load(path: path)
        #expect(c.server == "https://10.0.0.1:6443")
        #expect(c.namespace == "team-a")
        #expect(c.token == "s3cr3t-token")
        let ca = try #require(c.caFile)
        #expect(try String(contentsOfFile: ca, encoding: .utf8) == Self.ca)
        let mode = try FileManager.default.attributesOfItem(atPath: ca)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!c.description.contains("s3cr3t"))
        // A named context wins over current-context; without a namespace it is "default".
        #expect(try KubeConfigFile.load(path: path, context: "other").namespace == "default")
    }

    @Test func aTokenFileAndAClientCertificateRelativeToTheFile() throws {
        let dir = try TemporaryDirectory("kubeconfig")
        defer { dir.remove() }
        try "from-file\n".write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        try "cert".write(toFile: dir.path + "/client.crt", atomically: true, encoding: .utf8)
        try "key".write(toFile: dir.path + "/client.key", atomically: true, encoding: .utf8)
        let withToken = try KubeConfigFile.load(
            path: try Self.write(Self.kubeconfig(user: "    tokenFile: token"), in: dir))
        #expect(withToken.token == "from-file")
        let withCert = try KubeConfigFile.load(
            path: try Self.write(
                Self.kubeconfig(user: "    client-certificate: client.crt\n    client-key: client.key"), in: dir,
                name: "c2"))
        #expect(withCert.clientCertificate == dir.path + "/client.crt")
        #expect(withCert.clientKey == dir.path + "/client.key")
        #expect(withCert.token == nil)
    }

    @Test func errorsNameTheFileTheFieldAndTheCause() throws {
        let dir = try TemporaryDirectory("kubeconfig")
        defer { dir.remove() }
        func error(_ text: String, context: String? = nil) throws -> String {
            let path = try Self.write(text, in: dir, name: "bad-\(UUID().uuidString)")
            do {
                _ = try KubeConfigFile.load(path: path, context: context)
                Issue.record("no error for \(text)")
                return ""
            } catch { return error.message.replacingOccurrences(of: path, with: "FILE") }
        }
        #expect(throws: KubeConfigError.self) { try KubeConfigFile.load(path: dir.path + "/missing") }
        #expect(try error("clusters: [a\n").hasPrefix("the kubeconfig FILE:"))
        #expect(
            try error(Self.kubeconfig(user: "    token: t", current: "nope"))
                == "the kubeconfig FILE: contexts: no entry named \"nope\"; it has dev, other")
        #expect(
            try error(
                Self.kubeconfig(user: "    token: t").replacingOccurrences(of: "current-context: dev\n", with: ""))
                == "the kubeconfig FILE: current-context: not set; set it or name a context in the plugin config (context)"
        )
        #expect(
            try error(Self.kubeconfig(user: "    token: t", cluster: "    certificate-authority: /nonexistent.crt"))
                == "the kubeconfig FILE: clusters[c1].cluster.server: missing or not an http(s):// URL")
        #expect(
            try error(
                Self.kubeconfig(
                    user: "    token: t",
                    cluster: "    server: https://x\n    certificate-authority-data: '***not base64***'"))
                == "the kubeconfig FILE: clusters[c1].cluster.certificate-authority-data: not valid base64")
        #expect(
            try error(Self.kubeconfig(user: "    exec: {command: aws}"))
                == "the kubeconfig FILE: users[u1].user.exec: credential plugins are not supported; use a token or a client certificate"
        )
        #expect(
            try error(Self.kubeconfig(user: "    client-certificate-data: Y2VydA=="))
                == "the kubeconfig FILE: users[u1].user: a client certificate needs its key and a key its certificate")
        #expect(
            try error(Self.kubeconfig(user: "    tokenFile: /nonexistent/token"))
                == "the kubeconfig FILE: users[u1].user.tokenFile: cannot read /nonexistent/token")
    }

    @Test func inClusterReadsTheServiceAccountAndTheServiceVariables() throws {
        let dir = try TemporaryDirectory("serviceaccount")
        defer { dir.remove() }
        try "sa-token\n".write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        try Self.ca.write(toFile: dir.path + "/ca.crt", atomically: true, encoding: .utf8)
        try "jobs\n".write(toFile: dir.path + "/namespace", atomically: true, encoding: .utf8)
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let c = try InClusterConfig.load(root: dir.path, environment: env)
        #expect(c.server == "https://10.96.0.1:443")
        #expect(c.token == "sa-token")
        #expect(c.namespace == "jobs")
        #expect(c.caFile == dir.path + "/ca.crt")
        // Chosen by the settings when asked, or when there is no kubeconfig and the variables are set.
        let settings = try KubeSettings(
            .object(["in_cluster": .bool(true), "service_account_root": .string(dir.path), "namespace": .string("x")]),
            place: "test")
        #expect(try settings.connection(environment: env).namespace == "x")
        let implicit = try KubeSettings(
            .object([
                "kubeconfig": .string(dir.path + "/no-such-kubeconfig"), "service_account_root": .string(dir.path),
            ]),
            place: "test")
        #expect(try implicit.connection(environment: env).server == "https://10.96.0.1:443")
        #expect(throws: KubeConfigError.self) { try implicit.connection(environment: [:]) }
        do {
            _ = try InClusterConfig.load(root: dir.path + "/none", environment: env)
            Issue.record("no error without a token")
        } catch {
            #expect(error.message.contains("cannot read the service account token \(dir.path)/none/token"))
        }
        do {
            _ = try InClusterConfig.load(root: dir.path, environment: [:])
            Issue.record("no error without KUBERNETES_SERVICE_HOST")
        } catch { #expect(error.message.contains("KUBERNETES_SERVICE_HOST")) }
    }

    @Test func settingsRefuseUnknownKeysAndBadValues() {
        #expect(throws: KubeConfigError.self) { try KubeSettings(.object(["kubeconfg": .string("x")]), place: "p") }
        #expect(throws: KubeConfigError.self) {
            try KubeSettings(.object(["namespace": .string("Bad_NS")]), place: "p")
        }
        #expect(throws: KubeConfigError.self) { try KubeSettings(.object(["in_cluster": .string("yes")]), place: "p") }
        #expect(throws: KubeConfigError.self) { try KubeSettings(.string("x"), place: "p") }
    }
}
