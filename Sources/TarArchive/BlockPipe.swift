import Foundation

/// A fixed set of equal buffers handed from one producer thread to one consumer: the producer fills a
/// free buffer and queues it, the consumer takes filled buffers in order and gives each back when done.
/// Memory stays at `count × capacity` whatever the stream length. Locked by hand (`@unchecked`): both sides
/// wait on a condition variable, which `Mutex` does not offer.
final class BlockPipe: @unchecked Sendable {
    struct Block {
        var base: UnsafeMutableRawPointer
        var count: Int
    }

    let capacity: Int
    private let condition = NSCondition()
    private let storage: [UnsafeMutableRawPointer]
    private var free: [UnsafeMutableRawPointer]
    private var filled: [Block] = []
    private var head = 0
    private var ended = false
    private var failure: TarError?
    private var cancelled = false

    init(count: Int, capacity: Int) {
        self.capacity = capacity
        storage = (0..<max(count, 2)).map { _ in
            UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        free = storage
        filled.reserveCapacity(storage.count)
    }

    deinit {
        for buffer in storage { buffer.deallocate() }
    }

    // MARK: producer side

    /// A free buffer to fill, waiting while all are queued; nil once the consumer cancelled.
    func takeFree() -> UnsafeMutableRawPointer? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        return cancelled ? nil : free.removeLast()
    }

    /// Queues a filled buffer for the consumer.
    func push(_ block: Block) {
        condition.lock()
        filled.append(block)
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the stream: after the queued buffers the consumer sees the end, or `error`.
    func finish(_ error: TarError?) {
        condition.lock()
        ended = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    // MARK: consumer side

    /// The next filled buffer in order; nil at the end of the stream; throws the producer's error.
    func pop() throws(TarError) -> Block? {
        condition.lock()
        defer { condition.unlock() }
        while head == filled.count && !ended { condition.wait() }
        if head < filled.count {
            let block = filled[head]
            head += 1
            if head == filled.count {
                filled.removeAll(keepingCapacity: true)
                head = 0
            }
            return block
        }
        if let failure { throw failure }
        return nil
    }

    /// Returns a buffer taken with `pop` once its bytes are no longer needed.
    func giveBack(_ buffer: UnsafeMutableRawPointer) {
        condition.lock()
        free.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer at its next wait (the consumer gave up early).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
