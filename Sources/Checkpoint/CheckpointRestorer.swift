import Foundation
import ImageStore
import OCI
import TarArchive

/// Puts a checkpoint's saved state back: the rw diff onto a fresh rootfs, the CRIU images into a directory.
public enum CheckpointRestorer {
    /// Applies the rw diff onto a prepared, mounted, writable rootfs (the overlay mount point, or a native
    /// copy): whiteouts become deletions, which overlayfs records as its own whiteouts. The blob's digest
    /// and, when recorded, its DiffID are verified. Returns the uncompressed stream's digest and size.
    @discardableResult
    public static func applyRW(_ checkpoint: CheckpointImage, store: ImageStore, into rootfs: String) throws -> StreamDigest {
        guard let layer = checkpoint.rwLayer else {
            throw CheckpointError("checkpoint-no-rw", "checkpoint \(checkpoint.reference) has no rw layer to apply")
        }
        try store.checkBlob(layer)
        let compression: TarCompression = layer.mediaType == .ociLayerGzip ? .gzip : .none
        let summary: ExtractSummary
        do {
            let reader = try TarReader(path: store.blobPath(layer.digest), compression: compression)
            summary = try TarExtractor.extract(reader, into: rootfs, whiteouts: .apply)
        } catch {
            throw CheckpointError(
                "checkpoint-apply-failed",
                "cannot apply the rw layer of \(checkpoint.reference) "
                    + "onto \(rootfs)", underlying: error)
        }
        if let expected = layer.annotations?[CheckpointAnnotation.uncompressed], expected != summary.stream.digest {
            throw CheckpointError(
                "checkpoint-corrupt",
                "rw layer \(layer.digest) of \(checkpoint.reference) unpacked to "
                    + "\(summary.stream.digest), expected DiffID \(expected)")
        }
        return summary.stream
    }

    /// Extracts the CRIU image tar into `directory` (created if missing) for `runc restore --image-path`.
    public static func extractProcessImages(_ checkpoint: CheckpointImage, store: ImageStore, into directory: String) throws {
        guard let criu = checkpoint.criu else {
            throw CheckpointError(
                "checkpoint-no-process",
                "checkpoint \(checkpoint.reference) holds no process state "
                    + "(it was taken with --no-process); restore it with `restore: filesystem`")
        }
        try store.checkBlob(criu)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let reader = try TarReader(path: store.blobPath(criu.digest), compression: .none)
            try TarExtractor.extract(reader, into: directory, whiteouts: .apply)
        } catch {
            throw CheckpointError(
                "checkpoint-apply-failed",
                "cannot extract the CRIU images of \(checkpoint.reference) "
                    + "into \(directory)", underlying: error)
        }
    }
}
