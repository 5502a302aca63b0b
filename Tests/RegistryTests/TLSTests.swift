import Foundation
import ImageStore
import Testing
@testable import Registry

/// TLS failures name the registry and what is wrong with its certificate, against docker-registry on loopback
/// serving a certificate that is untrusted, for another host, or expired.
@Suite(.serialized)
struct TLSTests {
    struct CertificateCase: Sendable, CustomStringConvertible {
        var description: String
        var names: String
        var expired = false
        /// Whether the client trusts the certificate (as its own CA).
        var trusted: Bool
        var mentions: [String]
        var advice: String
    }

    static let cases = [
        CertificateCase(
            description: "untrusted self-signed certificate", names: "IP:127.0.0.1", trusted: false,
            mentions: ["certificate signed by unknown authority", "self-signed certificate CN=127.0.0.1"],
            advice: "trust its CA with --ca-cert FILE"),
        CertificateCase(
            description: "certificate for another host", names: "DNS:wrong.example,DNS:alt.example",
            trusted: true,
            mentions: ["hostname mismatch: certificate is for wrong.example, alt.example, not 127.0.0.1"],
            advice: "use a registry name the certificate lists"),
        CertificateCase(
            description: "expired certificate", names: "IP:127.0.0.1", expired: true, trusted: true,
            mentions: ["certificate has expired (not valid after 2020-01-02T00:00:00Z)"],
            advice: "the registry's certificate must be renewed"),
    ]

    @Test(arguments: cases)
    func certificateProblemIsNamed(_ c: CertificateCase) async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(
            directory: temp.path + "/registry", tls: true, certificateNames: c.names,
            expired: c.expired)
        defer { registry.stop() }
        let options = Fixtures.options(
            stateRoot: temp.path + "/state", extraCA: c.trusted ? [registry.certificate] : [],
            attempts: 1)
        let error = await #expect(throws: RegistryError.self) {
            try await RegistryClient(options: options).pullAsync(
                "\(registry.address)/app:v1",
                into: try ImageStore(root: temp.path + "/store"))
        }
        #expect(error?.code == "registry-tls")
        #expect(error?.underlying != nil)
        let message = error?.message ?? ""
        #expect(message.contains("TLS connection to registry \(registry.address) failed: "), "\(message)")
        for text in c.mentions {
            #expect(message.contains(text), "\(message) lacks \(text)")
        }
        #expect(message.contains(c.advice), "\(message) lacks \(c.advice)")
    }

    @Test(arguments: [
        ("registry.example.com", "registry.example.com 443"), ("127.0.0.1:5000", "127.0.0.1 5000"),
        ("[::1]:5000", "::1 5000"), ("[::1]", "::1 443"),
    ])
    func hostAndPortOfAnAddress(_ address: String, _ expected: String) {
        let (host, port) = TLSDiagnosis.split(address)
        #expect("\(host) \(port)" == expected)
    }
}
