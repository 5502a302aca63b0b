import BerthSystem
import AsyncHTTPClient
import Crypto
import Foundation
import ImageStore
import NIOCore
import OCI
import Synchronization

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

    /// One blob, skipped when present; each retry (and a later pull) resumes from the bytes already on disk.
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

    /// Downloads into the blob's partial ingest file, asking for `Range: bytes=N-` when N bytes are there already;
    /// a resumed download that does not verify is thrown away and fetched once more from the start.
    private func attempt(_ blob: Descriptor) async throws {
        let partial = try await PartialBlob.acquire(store.partialIngestPath(for: blob.digest))
        if store.hasBlob(blob.digest) {
            partial.remove()
            return
        }
        var offset = try partial.size()
        var hasher = SHA256()
        if offset > 0, offset <= blob.size { hasher = try partial.hashPrefix(offset) }
        if offset > blob.size {
            try partial.truncate()
            offset = 0
        }
        if offset == blob.size, hasher.finalize().digestString == blob.digest.description {
            try commit(partial, blob)
            return
        }
        if offset == blob.size {
            try partial.truncate()
            offset = 0
            hasher = SHA256()
        }
        let resumed = offset > 0
        do {
            do {
                try await download(blob, into: partial, from: offset, hasher: hasher)
            } catch let error as RegistryError where resumed && error.code == "blob-digest-mismatch" {
                try partial.truncate()
                try await download(blob, into: partial, from: 0, hasher: SHA256())
            }
        } catch let error as RegistryError where error.code == "blob-digest-mismatch" {
            partial.remove()
            throw error
        }
        try commit(partial, blob)
    }

    private func commit(_ partial: PartialBlob, _ blob: Descriptor) throws {
        try partial.sync()
        try store.commitIngestedBlob(partial.path, digest: blob.digest, size: blob.size)
    }

    /// Streams the blob from byte `offset` on (all of it when the registry answers 200), verifying the whole.
    private func download(
        _ blob: Descriptor, into partial: PartialBlob, from offset: Int64,
        hasher start: SHA256
    ) async throws {
        let range = offset > 0 ? ["Range": "bytes=\(offset)-"] : [:]
        let response = try await session.get("blobs/\(blob.digest)", headers: range)
        var received = offset
        var hasher = start
        switch Int(response.status.code) {
        case 206 where offset > 0:
            guard Self.rangeStart(response.headers.first(name: "Content-Range")) == offset else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                try partial.truncate()
                var error = RegistryError.protocolError(
                    "registry \(session.endpoint.registry) sent blob "
                        + "\(blob.digest) from another offset than asked (\(offset))")
                error.isTransient = true
                throw error
            }
        case 200:
            if offset > 0 {
                try partial.truncate()
                received = 0
                hasher = SHA256()
            }
        case 416:
            _ = try? await response.body.collect(upTo: 1 << 20)
            try partial.truncate()
            var error = RegistryError.http(
                "blob \(blob.digest) from byte \(offset)", status: 416,
                registry: session.endpoint.registry)
            error.isTransient = true
            throw error
        case 404:
            _ = try? await response.body.collect(upTo: 1 << 20)
            throw RegistryError(
                "blob-unknown",
                "registry \(session.endpoint.registry) has no blob \(blob.digest) "
                    + "of \(session.endpoint.repository)")
        case let status:
            _ = try? await response.body.collect(upTo: 1 << 20)
            throw RegistryError.http("blob \(blob.digest)", status: status, registry: session.endpoint.registry)
        }
        progress.report(blob, state: .downloading, completed: received)
        do {
            for try await chunk in response.body {
                let end = received + Int64(chunk.readableBytes)
                guard end <= blob.size else {
                    received = end
                    break
                }
                try chunk.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    try partial.write(bytes, at: received)
                }
                received = end
                progress.report(blob, state: .downloading, completed: received)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw TransportErrors.classify(error, registry: session.endpoint.registry, host: session.endpoint.host)
        }
        guard received >= blob.size else {
            var error = RegistryError(
                "blob-truncated",
                "blob \(blob.digest) ended after \(received) of "
                    + "\(blob.size) bytes")
            error.isTransient = true
            throw error
        }
        let actual = hasher.finalize().digestString
        guard received == blob.size, actual == blob.digest.description else {
            throw RegistryError.digestMismatch(
                blob.digest.description,
                actual: received == blob.size
                    ? actual
                    : "(more than \(blob.size) bytes)", size: received)
        }
    }

    /// The first byte of a `Content-Range: bytes START-END/TOTAL` header.
    static func rangeStart(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        return header.dropFirst(6).split(separator: "-").first.flatMap { Int64($0) }
    }
}

/// Collects per-blob progress into running totals and hands each update to the caller's callback, one at a time.
final class ProgressTracker: Sendable {
    private let callback: (@Sendable (PullProgress) -> Void)?
    /// Bytes done per blob; the callback runs while it is held, so updates reach it one at a time.
    private let completed = Mutex<[OCI.Digest: Int64]>([:])
    private let total: Int64

    init(blobs: [Descriptor], callback: (@Sendable (PullProgress) -> Void)?) {
        self.callback = callback
        var sizes: [OCI.Digest: Int64] = [:]
        for blob in blobs { sizes[blob.digest] = blob.size }
        total = sizes.values.reduce(0, +)
    }

    func report(_ blob: Descriptor, state: PullProgress.State, completed bytes: Int64) {
        completed.withLock { completed in
            completed[blob.digest] = bytes
            guard let callback else { return }
            callback(
                PullProgress(
                    digest: blob.digest, mediaType: blob.mediaType, state: state, completedBytes: bytes,
                    totalBytes: blob.size, overallCompletedBytes: completed.values.reduce(0, +),
                    overallTotalBytes: total))
        }
    }
}
