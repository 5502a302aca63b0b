/// A content descriptor (image-spec descriptor.md).
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: MediaType
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?

    public init(
        mediaType: MediaType, digest: Digest, size: Int64, annotations: [String: String]? = nil,
        platform: Platform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}

/// Well-known annotation keys.
public enum AnnotationKey {
    /// The tag (or full name) of an entry in an OCI layout's index.json.
    public static let refName = "org.opencontainers.image.ref.name"
    /// containerd's full image name on index.json entries.
    public static let containerdImageName = "io.containerd.image.name"
    public static let created = "org.opencontainers.image.created"
}

/// A target platform (image-spec image-index.md).
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }

    /// linux/<this machine's architecture>, in Go's GOARCH spelling.
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(architecture: "amd64", os: "linux")
        #elseif arch(arm64)
        return Platform(architecture: "arm64", os: "linux", variant: "v8")
        #elseif arch(arm)
        return Platform(architecture: "arm", os: "linux", variant: "v7")
        #elseif arch(s390x)
        return Platform(architecture: "s390x", os: "linux")
        #elseif arch(powerpc64le)
        return Platform(architecture: "ppc64le", os: "linux")
        #else
        return Platform(architecture: "unknown", os: "linux")
        #endif
    }

    /// Parses `os/arch[/variant]`.
    public init?(parsing string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    /// Whether an image built for `self` runs where `wanted` is asked for (variant ignored when not asked).
    public func matches(_ wanted: Platform) -> Bool {
        guard os == wanted.os, architecture == wanted.architecture else { return false }
        // A variant only rules a platform out when both sides name one and they differ.
        if let v = wanted.variant, let mine = variant { return v == mine }
        return true
    }
}
