import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Thrift over a TCP connection (HiveServer2's `transportMode=binary`), authenticated with SASL PLAIN:
/// the handshake is Thrift's TSaslClientTransport (a START message naming the mechanism, then the PLAIN
/// response `\0user\0password`, each `status byte, 4-byte length, payload`; the server answers COMPLETE or
/// BAD/ERROR with a reason), then every call is a frame: a 4-byte big-endian length and the message.
///
/// The server ties sessions to the connection: when it closes, the session and its operations are gone,
/// so unlike HTTP, handles cannot be used from another process. One call at a time per connection.
public final class HiveTCPTransport: HiveTransport {
    public let address: String
    private let connection: Mutex<Int32>

    /// Connects and authenticates; throws `.credentials` when the server refuses the user or password.
    public init(
        host: String, port: Int, user: String, password: String, timeoutMilliseconds: Int = 60_000
    ) throws(HiveError) {
        address = "\(host):\(port)"
        let fd = try Self.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds, address: address)
        connection = Mutex(fd)
        do {
            try Self.saslPlain(fd, user: user, password: password.isEmpty ? "x" : password, address: address)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// False once the connection failed or was closed: the session it carried is gone.
    public var isOpen: Bool { connection.withLock { $0 >= 0 } }

    public func close() {
        connection.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    public func roundTrip(_ message: [UInt8], idempotent: Bool) throws(HiveError) -> [UInt8] {
        // `idempotent` does not matter here: a call is never re-sent on a connection that failed, as the
        // session went with it.
        try connection.withLock { fd throws(HiveError) -> [UInt8] in
            guard fd >= 0 else {
                throw HiveError(
                    .unreachable, "the connection to HiveServer2 at \(address) is closed", isTransient: true)
            }
            do throws(HiveError) {
                try Self.write(fd, Self.bigEndian(UInt32(message.count)) + message)
                let length = Self.integer(try Self.read(fd, count: 4))
                guard length <= 1 << 30 else {
                    throw HiveError(.protocolError, "HiveServer2 at \(address) sent a frame of \(length) bytes")
                }
                return try Self.read(fd, count: Int(length))
            } catch {
                Glibc.close(fd)
                fd = -1
                throw error
            }
        }
    }

    // MARK: - SASL PLAIN

    enum SASLStatus: UInt8 { case start = 1, ok, bad, error, complete }

    static func saslPlain(_ fd: Int32, user: String, password: String, address: String) throws(HiveError) {
        try write(fd, saslMessage(.start, Array("PLAIN".utf8)))
        try write(fd, saslMessage(.ok, [0] + Array(user.utf8) + [0] + Array(password.utf8)))
        let header = try read(fd, count: 5)
        let payload = try read(fd, count: Int(integer(Array(header[1...]))))
        switch SASLStatus(rawValue: header[0]) {
        case .complete: return
        case .bad, .error:
            let reason = String(decoding: payload, as: UTF8.self)
            throw HiveError(.credentials, "HiveServer2 at \(address) refused the credentials (SASL PLAIN): \(reason)")
        default:
            throw HiveError(
                .protocolError, "HiveServer2 at \(address) answered the SASL handshake with status \(header[0])")
        }
    }

    static func saslMessage(_ status: SASLStatus, _ payload: [UInt8]) -> [UInt8] {
        [status.rawValue] + bigEndian(UInt32(payload.count)) + payload
    }

    // MARK: - Sockets

    static func connect(host: String, port: Int, timeoutMilliseconds: Int, address: String) throws(HiveError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HiveError(
                .unreachable,
                "HiveServer2 at \(address) did not answer: cannot resolve \(host): \(String(cString: gai_strerror(status)))",
                isTransient: true)
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            Glibc.close(fd)
        }
        throw HiveError(
            .unreachable, "HiveServer2 at \(address) did not answer: \(String(cString: strerror(lastError)))",
            isTransient: true)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) throws(HiveError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HiveError(
                    .unreachable, "sending to HiveServer2 failed: \(String(cString: strerror(errno)))",
                    isTransient: true)
            }
            sent += n
        }
    }

    static func read(_ fd: Int32, count: Int) throws(HiveError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let why = n == 0 ? "the server closed the connection" : String(cString: strerror(errno))
                throw HiveError(.unreachable, "reading from HiveServer2 failed: \(why)", isTransient: true)
            }
            got += n
        }
        return out
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    static func integer(_ b: [UInt8]) -> UInt32 { b.reduce(0) { $0 << 8 | UInt32($1) } }
}
