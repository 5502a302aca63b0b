import OCI

extension ImageStore {
    /// The ingest file where an interrupted download of `digest` keeps its bytes, so a later attempt finds
    /// and resumes it; commit it with `commitIngestedBlob` once complete. It never counts as a blob.
    public func partialIngestPath(for digest: Digest) -> String {
        "\(root)/ingest/partial-\(digest.algorithm)-\(digest.encoded)"
    }
}
