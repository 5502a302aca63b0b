import OCI

extension MediaType {
    /// Berth's checkpointed runtime spec: the container's `config.json` as canonical (sorted-key) JSON, so
    /// it is readable without protobuf and byte-stable. containerd stores a proto-marshalled `Any` instead
    /// (`checkpointConfigProto`), which Berth reads; `ctr containers restore` does not read Berth's blob.
    public static let berthCheckpointSpec: MediaType = "application/vnd.berth.checkpoint.spec.v1+json"
    /// containerd's CRIU image directory as a plain tar.
    public static let checkpointCriuTar: MediaType = "application/vnd.containerd.container.criu.checkpoint.criu.tar"
    /// containerd's container spec: protobuf `Any` whose value is the spec's JSON.
    public static let checkpointConfigProto: MediaType = "application/vnd.containerd.container.checkpoint.config.v1+proto"
    /// containerd's rw media type: defined but never written (the rw diff is an OCI gzip layer); read when found.
    public static let checkpointRWTar: MediaType = "application/vnd.containerd.container.rw.tar"
}

/// Annotation keys of a checkpoint index.
public enum CheckpointAnnotation {
    /// The base image's name (containerd's `ctr containers checkpoint`).
    public static let imageName = AnnotationKey.refName
    /// The runtime the container ran with.
    public static let runtime = "io.containerd.checkpoint.runtime"
    /// The snapshotter of the container's rootfs.
    public static let snapshotter = "io.containerd.checkpoint.snapshotter"
    /// Feb-2018 `ctr tasks checkpoint` named the base image with this key instead.
    public static let legacyImageName = "image.name"
    /// The DiffID (digest of the uncompressed tar) on the rw layer descriptor.
    public static let uncompressed = "containerd.io/uncompressed"
}
