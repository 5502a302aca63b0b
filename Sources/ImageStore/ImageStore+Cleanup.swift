extension ImageStore {
    /// What `berth down --images` removed: image names, and how many blobs the prune dropped.
    public struct Cleanup: Sendable, Equatable {
        public var images: [String]
        public var prunedBlobs: Int
    }

    /// Removes the images `released` (by reference) that no reference in `stillUsed` names, then prunes
    /// the blobs nothing references any more. The policy of `berth down --images`.
    public func removeUnused(_ released: Set<String>, stillUsed: Set<String>) throws -> Cleanup {
        let unused = released.subtracting(stillUsed).sorted()
        for reference in unused {
            try remove(reference: reference)
        }
        return Cleanup(images: unused, prunedBlobs: try prune().removed.count)
    }
}
