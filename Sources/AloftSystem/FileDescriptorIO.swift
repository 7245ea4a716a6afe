#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output and error without FileHandle (which is Foundation's, not FoundationEssentials').
public enum StandardStreams {
    /// Writes all of `text` to standard output, unbuffered (after what `print` buffered: every C stream is
    /// flushed first).
    public static func writeOutput(_ text: String) {
        fflush(nil)
        HeldOutput.flush()
        writeAll(1, Array(text.utf8))
    }

    /// Writes `text` to standard output within 50 ms, with what else is written meanwhile (see HeldOutput):
    /// for a burst of lines to a pipe or file. Anything written through `writeOutput` or `writeError`, and
    /// `flushOutput`, writes it first.
    public static func writeOutputSoon(_ text: String) { HeldOutput.hold(text) }

    /// Writes what `writeOutputSoon` holds, now (before `print`, or before anything reaches standard error
    /// another way).
    public static func flushOutput() { HeldOutput.flush() }

    /// Writes all of `text` to standard error, unbuffered (after what `writeOutputSoon` holds).
    public static func writeError(_ text: String) {
        HeldOutput.flush()
        writeAll(2, Array(text.utf8))
    }

    /// Writes every byte, retrying interrupted and partial writes; gives up on any other error.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }
}

/// A file opened for reading by path, read in chunks; closed by `close()` or when released.
public final class ReadableFile: @unchecked Sendable {  // one reader at a time: the fd is not shared
    private var fd: Int32

    public init?(path: String) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
    }

    deinit { close() }

    /// Up to `count` bytes; fewer only at the end of the file; empty at its end. Throws on a read error. The
    /// buffer grows with what is read (a large `count` is a limit, not an allocation).
    public func read(upTo count: Int) throws(ReadError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 16))
        while out.count < count {
            let want = min(chunk.count, count - out.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, want) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ReadError(errno: errno) }
            if n == 0 { break }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }

    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { String(cString: strerror(errno)) }
    }
}
