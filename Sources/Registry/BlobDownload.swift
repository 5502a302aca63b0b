import AsyncHTTPClient
import Crypto
import Foundation
import ImageStore
import NIOCore
import OCI

/// Streams blobs into the store's ingest directory, hashing while writing, then commits them under their digest.
struct BlobDownloader: Sendable {
    let session: RegistrySession
    let store: ImageStore
    let options: RegistryOptions
    let progress: ProgressTracker

    /// Downloads every blob the store lacks, at most `options.parallelDownloads` at a time.
    func fetchAll(_ blobs: [Descriptor]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = blobs.makeIterator()
            for _ in 0..<options.parallelDownloads {
                guard let next = iterator.next() else { break }
                group.addTask { try await fetch(next) }
            }
            while try await group.next() != nil {
                if let next = iterator.next() { group.addTask { try await fetch(next) } }
            }
        }
    }

    /// One blob, skipped when present; retried from the start when the connection breaks.
    func fetch(_ blob: Descriptor) async throws {
        if store.hasBlob(blob.digest) {
            progress.report(blob, state: .present, completed: blob.size)
            return
        }
        try await Retry.run(options) {
            try await attempt(blob)
        }
        progress.report(blob, state: .done, completed: blob.size)
    }

    private func attempt(_ blob: Descriptor) async throws {
        let response = try await session.get("blobs/\(blob.digest)")
        let status = Int(response.status.code)
        guard status == 200 else {
            _ = try? await response.body.collect(upTo: 1 << 20)
            if status == 404 {
                throw RegistryError("blob-unknown", "registry \(session.endpoint.registry) has no blob \(blob.digest) "
                                    + "of \(session.endpoint.repository)")
            }
            throw RegistryError.http("blob \(blob.digest)", status: status, registry: session.endpoint.registry)
        }
        let path = store.makeIngestPath()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RegistryError("blob-write", "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var committed = false
        defer { if !committed { unlink(path) } }
        var hasher = SHA256()
        var received: Int64 = 0
        do {
            defer { close(fd) }
            do {
                for try await chunk in response.body {
                    received += Int64(chunk.readableBytes)
                    guard received <= blob.size else { break }
                    try chunk.withUnsafeReadableBytes { bytes in
                        hasher.update(bufferPointer: bytes)
                        try Self.writeAll(fd, bytes, path: path)
                    }
                    progress.report(blob, state: .downloading, completed: received)
                }
            } catch let error as RegistryError {
                throw error
            } catch {
                throw TransportErrors.classify(error, registry: session.endpoint.registry, host: session.endpoint.host)
            }
            guard received >= blob.size else {
                var error = RegistryError("blob-truncated", "blob \(blob.digest) ended after \(received) of "
                                          + "\(blob.size) bytes")
                error.isTransient = true
                throw error
            }
            guard fsync(fd) == 0 else {
                throw RegistryError("blob-write", "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
        let actual = "sha256:" + Hashing.hex(hasher.finalize())
        guard received == blob.size, actual == blob.digest.description else {
            throw RegistryError.digestMismatch(blob.digest.description, actual: received == blob.size ? actual
                                               : "(more than \(blob.size) bytes)", size: received)
        }
        try store.commitIngestedBlob(path, digest: blob.digest, size: blob.size)
        committed = true
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw RegistryError("blob-write", "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}

/// Collects per-blob progress into running totals and hands each update to the caller's callback, one at a time.
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private let callback: (@Sendable (PullProgress) -> Void)?
    private var completed: [OCI.Digest: Int64] = [:]
    private let total: Int64

    init(blobs: [Descriptor], callback: (@Sendable (PullProgress) -> Void)?) {
        self.callback = callback
        var sizes: [OCI.Digest: Int64] = [:]
        for blob in blobs { sizes[blob.digest] = blob.size }
        total = sizes.values.reduce(0, +)
    }

    func report(_ blob: Descriptor, state: PullProgress.State, completed bytes: Int64) {
        lock.lock()
        defer { lock.unlock() }
        completed[blob.digest] = bytes
        guard let callback else { return }
        callback(PullProgress(digest: blob.digest, mediaType: blob.mediaType, state: state, completedBytes: bytes,
                              totalBytes: blob.size, overallCompletedBytes: completed.values.reduce(0, +),
                              overallTotalBytes: total))
    }
}
