import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One end of the socket between the host and a plugin runner: whole frames (a 4-byte little-endian
/// length, then the body) written under a lock from any thread, read by one reader thread.
public final class FrameChannel: Sendable {
    /// Larger frames are a broken peer, not a big value: states are capped at 1 MiB and contexts far smaller.
    public static let maxFrameBytes = 256 << 20

    public let fd: Int32
    private let writeLock = Mutex<Void>(())

    public init(fd: Int32) { self.fd = fd }

    /// Sends one frame; false when the peer is gone.
    @discardableResult
    public func send(_ body: [UInt8]) -> Bool {
        var frame = [UInt8]()
        frame.reserveCapacity(body.count + 4)
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: body)
        return writeLock.withLock { _ in
            frame.withUnsafeBytes { raw in
                var sent = 0
                while sent < raw.count {
                    let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                    if n > 0 {
                        sent += n
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else {
                        return false
                    }
                }
                return true
            }
        }
    }

    /// The next frame's body, blocking; nil at end of stream or on a frame too large to be real.
    public func receive() -> [UInt8]? {
        var header = [UInt8](repeating: 0, count: 4)
        guard readFully(&header) else { return nil }
        let length = header.reversed().reduce(0) { $0 << 8 | Int($1) }
        guard length <= Self.maxFrameBytes else { return nil }
        var body = [UInt8](repeating: 0, count: length)
        guard readFully(&body) else { return nil }
        return body
    }

    private func readFully(_ buffer: inout [UInt8]) -> Bool {
        var got = 0
        let count = buffer.count
        return buffer.withUnsafeMutableBytes { raw in
            while got < count {
                let n = recv(fd, raw.baseAddress! + got, count - got, 0)
                if n > 0 {
                    got += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Ends the stream in both directions: the peer's reader sees end of stream.
    public func shutdownBoth() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    public func close() { _ = Glibc.close(fd) }
}
