#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread running a closure (Foundation's Thread is not in FoundationEssentials).
public enum HostThread {
    /// Starts `body` on a new thread named `name` (Linux keeps its first 15 bytes: what ps and top show), with
    /// `stackSize` bytes of stack when given. Returns false when the system refuses a thread.
    @discardableResult
    public static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                HostThread.nameThisThread(box.name)
                box.body()
                return nil
            }, box)
        if rc != 0 { Unmanaged<Box>.fromOpaque(box).release() }
        return rc == 0
    }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// pthread_setname_np is not exported to Swift by Glibc: the thread writes its own comm.
    static func nameThisThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let short = String(decoding: Array(name.utf8.prefix(15)), as: UTF8.self)
        _ = short.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #endif
    }
}

/// A mutex with a condition variable (what Foundation's NSCondition was used for): lock, wait, signal.
/// Timed waits are measured on the monotonic clock, so a change of the wall clock does not move them.
public final class ConditionLock: @unchecked Sendable {  // the pthread objects are the synchronization
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Call with the lock held: releases it while waiting, holds it again on return.
    public func wait() { pthread_cond_wait(condition, mutex) }
    public func signal() { pthread_cond_signal(condition) }
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// `wait()` for at most `timeout`; false when the time ran out, true when woken (by a signal, or spuriously:
    /// check the awaited state again either way).
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = timeout.components
        var nanoseconds = Int64(now.tv_nsec) + attoseconds / 1_000_000_000
        var deadline = timespec()
        deadline.tv_sec = now.tv_sec + Int(seconds) + Int(nanoseconds / 1_000_000_000)
        nanoseconds %= 1_000_000_000
        deadline.tv_nsec = Int(nanoseconds)
        return pthread_cond_timedwait(condition, mutex, &deadline) == 0
    }
}
