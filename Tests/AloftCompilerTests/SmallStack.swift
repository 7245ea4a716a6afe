import Foundation

/// Runs `body` on a thread with the stack of Swift's cooperative pool on Linux (512 KiB), where `aloft
/// compile` and `aloft run` compile, and waits for it: a recursion that would overflow there crashes the test.
func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = 512 << 10
    thread.start()
    done.wait()
    return box.value!
}

/// Written by the thread, read after the semaphore: the semaphore orders the two.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
