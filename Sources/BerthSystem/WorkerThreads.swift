import Foundation
import Synchronization

/// The one pool Berth runs blocking work on in parallel (container starts, layer extraction). It uses
/// threads of its own: Swift's cooperative pool must never block, and GCD's `concurrentPerform` is sized
/// for work that keeps a core busy, not for work that mostly waits on a child or the disk.
public enum WorkerThreads {
    /// Runs `body` for each of `0..<count` on up to `limit` threads at once and returns when all are done.
    /// Each thread takes the next index from a shared counter until none is left, so no more than `limit`
    /// calls ever run together, and a call that ends early frees its thread for the next index. With one
    /// thread's worth of work (`count` or `limit` of 1) the calls run in order on the calling thread.
    public static func forEach(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let width = min(count, max(limit, 1))
        guard width > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        let counter = Counter()
        let work: @Sendable () -> Void = {
            while let index = counter.next(below: count) { body(index) }
        }
        let threads = (0..<width).compactMap { _ in startThread(work) }
        if threads.isEmpty { work() }  // no thread could be made: the calls run here
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Runs `body` on a thread of its own that nobody joins (on this one when no thread can be made): for a
    /// call that only waits in the kernel and whose end nobody needs, such as closing an inotify descriptor.
    public static func detached(_ body: @escaping @Sendable () -> Void) {
        guard let thread = startThread(body) else { return body() }
        pthread_detach(thread)
    }

    /// Starts a joinable POSIX thread running `body`; nil when none can be made. Plain pthreads: Foundation's
    /// `Thread` and a `DispatchGroup` cost a process's first use of them (about half a millisecond), which
    /// `apply` pays on its start path.
    static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let job = Unmanaged.passRetained(ThreadJob(body)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<ThreadJob>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, job)
        guard made == 0 else {
            Unmanaged<ThreadJob>.fromOpaque(job).release()
            return nil
        }
        return thread
    }

    private final class ThreadJob: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// The next index to run, shared by the threads of one `forEach`.
    private final class Counter: Sendable {
        private let value = Mutex(0)

        func next(below count: Int) -> Int? {
            value.withLock { next in
                guard next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }
}

extension WorkerThreads {
    /// Work started one piece at a time while the caller goes on (a container's removal as soon as it is
    /// stopped, while the next containers are being stopped), at most `limit` pieces at once, each on a
    /// thread of its own; `wait()` returns when every piece started so far has ended.
    public final class Group: Sendable {
        private let slots: DispatchSemaphore
        private let running = DispatchGroup()

        public init(limit: Int) {
            slots = DispatchSemaphore(value: max(limit, 1))
        }

        public func start(_ body: @escaping @Sendable () -> Void) {
            running.enter()
            Thread.detachNewThread { [slots, running] in
                slots.wait()
                body()
                slots.signal()
                running.leave()
            }
        }

        public func wait() {
            running.wait()
        }
    }

    /// Runs `side` on a thread of its own while `main` runs on the calling thread, and returns both results
    /// once both are done (a container's network attachment beside its unpack and bundle, say). `main` may wait
    /// for something `side` signals: when no thread can be made, `side` runs to its end first.
    public static func alongside<Main, Side: Sendable>(
        _ side: @escaping @Sendable () -> Side, main: () -> Main
    ) -> (main: Main, side: Side) {
        let result = Mutex<Side?>(nil)
        let thread = startThread { result.withLock { $0 = side() } }
        // No thread could be made: the side runs here, before `main`, which may wait for what it signals.
        if thread == nil { result.withLock { $0 = side() } }
        let mine = main()
        if let thread { pthread_join(thread, nil) }
        guard let theirs = result.withLock({ $0 }) else { preconditionFailure("the side task ended without a result") }
        return (mine, theirs)
    }
}
