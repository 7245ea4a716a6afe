import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs code inside a network namespace without a new process: `setns(CLONE_NEWNET)` moves only the
/// calling thread, so the body runs on a thread of its own that joins the namespace first. Sockets the
/// body opens (libcurl's included) live in the namespace.
enum NetworkNamespace {
    struct Failed: Error, CustomStringConvertible { let description: String }

    static func run<T: Sendable>(_ namespace: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let fd = open("/var/run/netns/\(namespace)", O_RDONLY)
            guard fd >= 0 else {
                box.set(.failure(Failed(description: "cannot open namespace \(namespace)")))
                return
            }
            defer { close(fd) }
            guard let setns, setns(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
                box.set(.failure(Failed(description: "setns(\(namespace)) failed: errno \(errno)")))
                return
            }
            box.set(Result { try body() })
        }
        thread.start()
        done.wait()
        return try box.get()
    }

    /// glibc's setns(2), which Swift's Glibc module does not import (it is behind _GNU_SOURCE).
    private static let setns: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "setns") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<T, any Error>?
        func set(_ r: Result<T, any Error>) { lock.withLock { result = r } }
        func get() throws -> T { try lock.withLock { result! }.get() }
    }
}
