import Dispatch
import Synchronization

/// Async work for synchronous callers: the CLI is synchronous, the registry client is async.
///
/// The rule: a thread may block waiting for async work only if that work cannot need the thread it blocks.
/// Swift's cooperative pool has one thread per core; a thread of it that waits on a semaphore for a task
/// which itself needs a pool thread can starve that task, and with every pool thread so waiting nothing
/// runs again. So the bridged task never runs on the pool: it prefers `executor` (a task executor preference
/// also carries its child tasks and the default actors it calls, `RegistrySession`), whose jobs run on
/// GCD threads outside the pool. The caller then waits on a semaphore from its own thread: the CLI's main
/// thread, an executor `WorkerThreads` thread, or even a test that runs on the pool, since nothing the
/// work does waits for that thread.
enum SyncBridge {
    /// Runs the bridged tasks' jobs.
    static let executor = QueueTaskExecutor(label: "berth.registry")

    /// Runs `work` as a task on `executor` and blocks the calling thread until it finishes.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached(executorPreference: executor) {
            do {
                box.set(.success(try await work()))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get()
    }
}

/// A task executor whose jobs run on a private concurrent dispatch queue (GCD's overcommitting threads,
/// not Swift's cooperative pool), so bridged work runs in parallel as before but never waits for the pool.
final class QueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The result of a task handed to the waiting thread (the semaphore orders set before get).
private final class ResultBox<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)

    func set(_ value: Result<T, any Error>) {
        result.withLock { $0 = value }
    }

    func get() throws -> T {
        guard let result = result.withLock({ $0 }) else {
            throw RegistryError("internal", "registry task finished without a result", category: .internal)
        }
        return try result.get()
    }
}
