import Foundation
import OCI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line a container wrote, as stored in its log file (one JSON object per line).
public struct LogRecord: Codable, Hashable, Sendable {
    public enum Stream: String, Codable, Sendable {
        case stdout
        case stderr
    }

    public var time: String
    public var stream: Stream
    public var text: String

    public init(time: String, stream: Stream, text: String) {
        self.time = time
        self.stream = stream
        self.text = text
    }
}

/// Appends records to a container's log; splits output into lines per stream, keeping partial lines
/// until their newline (or the end) arrives. Safe to call from the two pipe readers at once.
final class LogWriter: Sendable {
    private let handle: FileHandle
    /// Each stream's unterminated last line; records are written while it is held, so they never interleave.
    private let partial = Mutex<[LogRecord.Stream: Data]>([:])

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw SupervisionError("log-open-failed", "cannot open log file \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(_ data: Data, stream: LogRecord.Stream) {
        partial.withLock { partial in
            var buffer = partial[stream, default: Data()]
            buffer.append(data)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                write(String(decoding: line, as: UTF8.self), stream: stream)
                buffer.removeSubrange(buffer.startIndex...newline)
            }
            partial[stream] = buffer
        }
    }

    /// Writes out any unterminated last lines.
    func flush() {
        partial.withLock { partial in
            for stream in [LogRecord.Stream.stdout, .stderr] {
                if let rest = partial[stream], !rest.isEmpty {
                    write(String(decoding: rest, as: UTF8.self), stream: stream)
                }
            }
            partial = [:]
        }
    }

    private func write(_ text: String, stream: LogRecord.Stream) {
        let record = LogRecord(time: Timestamp.now(), stream: stream, text: text)
        guard var data = try? CanonicalJSON.encode(record) else { return }
        data.append(0x0A)
        handle.write(data)
    }

    deinit { try? handle.close() }
}

/// Reads a container's log file incrementally.
public final class LogReader {
    private let path: String
    private var offset: UInt64 = 0
    private var pending = Data()
    /// The log kept open between reads (a follower reads every few milliseconds), with its inode: a log made
    /// anew under the same path (the container replaced) is reopened and read from its start.
    private var fd: Int32 = -1
    private var inode: UInt64 = 0

    public init(path: String) {
        self.path = path
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The complete records written since the last call.
    public func readNew() -> [LogRecord] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        // Made anew: another inode, or the same number reused for a file shorter than what was read.
        if fd < 0 || UInt64(info.st_ino) != inode || UInt64(info.st_size) < offset {
            if fd >= 0 {
                close(fd)
                offset = 0
                pending = Data()
            }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return [] }
            inode = UInt64(info.st_ino)
        }
        guard UInt64(info.st_size) > offset else { return [] }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard count > 0 else { break }
            offset += UInt64(count)
            pending.append(contentsOf: chunk[0..<count])
        }
        var records: [LogRecord] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[pending.startIndex..<newline]
            if let record = try? JSONDecoder().decode(LogRecord.self, from: Data(line)) {
                records.append(record)
            }
            pending.removeSubrange(pending.startIndex...newline)
        }
        return records
    }
}

public enum Timestamp {
    /// RFC 3339 UTC with milliseconds, from the system clock (no formatter: one runs per log line).
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: spec.tv_sec, nanoseconds: spec.tv_nsec)
    }

    /// `date` in the log's form.
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = Int(interval.rounded(.down))
        return format(seconds: seconds, nanoseconds: Int((interval - Double(seconds)) * 1_000_000_000))
    }

    public static func format(seconds whole: Int, nanoseconds: Int) -> String {
        var seconds = whole
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let millis = Int32(nanoseconds / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}
