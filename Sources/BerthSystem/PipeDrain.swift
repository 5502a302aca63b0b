import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one loop that reads several pipes at once until each ends, so that a child writing much to one of
/// them never blocks on the other: `poll`, read what is ready, close a pipe at its end.
public enum PipeDrain {
    /// Reads `fds` (-1 entries are skipped) until all have ended, handing each chunk to `received` with the
    /// index of its pipe, then closes them. With a `deadline`, stops when it passes and returns false (the
    /// pipes still open are closed too); true when every pipe ended.
    @discardableResult
    public static func drain(
        _ fds: [Int32], deadline: ContinuousClock.Instant? = nil, _ received: (Int, ArraySlice<UInt8>) -> Void
    ) -> Bool {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var ended = true
        while polled.contains(where: { $0.fd >= 0 }) {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else {
                    ended = false
                    break
                }
                let (seconds, attoseconds) = left.components
                timeout = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            }
            if poll(&polled, nfds_t(polled.count), timeout) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in polled.indices where polled[i].fd >= 0 && polled[i].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(polled[i].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    received(i, buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    close(polled[i].fd)
                    polled[i].fd = -1
                }
            }
        }
        for entry in polled where entry.fd >= 0 { close(entry.fd) }
        return ended
    }
}
