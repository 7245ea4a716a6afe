import AloftWire
import Foundation

/// kubeconfig `*-data` fields (base64 PEM) become private files, because libcurl takes certificates and keys
/// as paths. A file is named by a hash of its content, so loading the same kubeconfig again reuses it.
enum CredentialFiles {
    static let directory = NSTemporaryDirectory() + "aloft-kube-\(getuid())"

    /// Writes `bytes` to a 0600 file in a 0700 directory; its path.
    static func write(_ bytes: [UInt8], suffix: String) throws(KubeConfigError) -> String {
        let path = directory + "/" + FNV1a.hex64(bytes) + "." + suffix
        if FileManager.default.contents(atPath: path).map({ [UInt8]($0) == bytes }) == true { return path }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let temporary = path + ".\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"  // threads race here
            guard
                FileManager.default.createFile(
                    atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw KubeConfigError("cannot write \(temporary)") }
            guard rename(temporary, path) == 0 else { throw KubeConfigError("cannot move \(temporary) to \(path)") }
        } catch let error as KubeConfigError {
            throw error
        } catch {
            throw KubeConfigError("cannot keep a credential file in \(directory): \(error.localizedDescription)")
        }
        return path
    }
}
