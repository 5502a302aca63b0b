import Foundation
import ImageStore
import OCI
import Testing
@testable import Registry

struct EndpointTests {
    struct Case: Sendable, CustomStringConvertible {
        var reference: String
        var registry: String
        var host: String
        var repository: String
        var description: String { reference }
    }

    static let cases: [Case] = [
        Case(reference: "alpine", registry: "docker.io", host: "registry-1.docker.io", repository: "library/alpine"),
        Case(
            reference: "bitnami/redis:7", registry: "docker.io", host: "registry-1.docker.io",
            repository: "bitnami/redis"),
        Case(
            reference: "ghcr.io/org/tool@sha256:" + String(repeating: "a", count: 64), registry: "ghcr.io",
            host: "ghcr.io", repository: "org/tool"),
        Case(reference: "localhost:5000/x/y:z", registry: "localhost:5000", host: "localhost:5000", repository: "x/y"),
    ]

    @Test(arguments: cases)
    func endpoint(_ c: Case) throws {
        let endpoint = RegistryEndpoint(try ImageReference(parsing: c.reference))
        #expect(endpoint.registry == c.registry)
        #expect(endpoint.host == c.host)
        #expect(endpoint.repository == c.repository)
    }

    struct PlainCase: Sendable, CustomStringConvertible {
        var registry: String
        var insecure: Set<String>
        var plain: Bool
        var description: String { registry }
    }

    static let plainCases: [PlainCase] = [
        PlainCase(registry: "127.0.0.1:5000", insecure: [], plain: true),
        PlainCase(registry: "localhost", insecure: [], plain: true),
        PlainCase(registry: "[::1]:5000", insecure: [], plain: true),
        PlainCase(registry: "registry.lan:5000", insecure: [], plain: false),
        PlainCase(registry: "registry.lan:5000", insecure: ["registry.lan:5000"], plain: true),
        PlainCase(registry: "127.example.com", insecure: [], plain: false),
        PlainCase(registry: "127.0.0.2:80", insecure: [], plain: true),
    ]

    @Test(arguments: plainCases)
    func plainHTTPOnlyWhereAllowed(_ c: PlainCase) {
        let options = RegistryOptions(dockerConfigPath: nil, insecureRegistries: c.insecure)
        #expect(options.allowsPlainHTTP(c.registry) == c.plain)
    }

    struct TypeCase: Sendable, CustomStringConvertible {
        var body: String
        var contentType: String?
        var expected: MediaType?
        var description: String { body }
    }

    static let typeCases: [TypeCase] = [
        TypeCase(
            body: #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
            contentType: nil, expected: .ociIndex),
        TypeCase(
            body: #"{"schemaVersion":2,"config":{},"layers":[]}"#,
            contentType: "application/vnd.docker.distribution.manifest.v2+json", expected: .dockerManifest),
        TypeCase(body: #"{"schemaVersion":2,"manifests":[]}"#, contentType: "application/json", expected: .ociIndex),
        TypeCase(body: #"{"schemaVersion":2,"layers":[]}"#, contentType: nil, expected: .ociManifest),
        TypeCase(body: #"{"schemaVersion":1,"fsLayers":[]}"#, contentType: nil, expected: nil),
        TypeCase(body: "not json", contentType: nil, expected: nil),
    ]

    @Test(arguments: typeCases)
    func documentMediaType(_ c: TypeCase) {
        let result = try? RegistrySession.mediaType(of: Data(c.body.utf8), contentType: c.contentType, name: "x")
        #expect(result == c.expected)
    }
}
