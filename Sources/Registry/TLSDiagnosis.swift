import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Says what is wrong with a registry's certificate after a failed TLS handshake: NIOSSL only reports that
/// verification failed, so a second connection that accepts any certificate reads the chain to inspect it.
enum TLSDiagnosis {
    /// What is wrong, and what the user can do about it.
    struct Finding: Sendable, Equatable {
        var problem: String
        var advice: String
    }

    static let trustAdvice =
        "if the certificate is right, trust its CA with --ca-cert FILE; if the registry speaks "
        + "plain HTTP, list it with --insecure-registry"

    /// The certificate problem behind `error` on `host` (`host[:port]`), e.g. "certificate has expired".
    static func problem(_ error: any Error, host: String) async -> Finding {
        let (name, port) = split(host)
        let chain = await peerChain(host: name, port: port)
        return problem(error, chain: chain, host: name, now: time(nil))
    }

    /// The problem, given the chain the server presented (nil when it could not be read).
    static func problem(_ error: any Error, chain: [NIOSSLCertificate]?, host: String, now: time_t) -> Finding {
        let hostnameMismatch = (error as? NIOSSLExtraError) == .failedToValidateHostname
        let renameAdvice = "use a registry name the certificate lists, or have the certificate reissued for \(host)"
        guard let leaf = chain?.first else {
            return hostnameMismatch
                ? Finding(
                    problem: "hostname mismatch: certificate is not for \(host)",
                    advice: renameAdvice)
                : Finding(problem: "\(error)", advice: trustAdvice)
        }
        if leaf.notValidAfter < now {
            return Finding(
                problem: "certificate has expired (not valid after \(date(leaf.notValidAfter)))",
                advice: "the registry's certificate must be renewed (or the system clock is wrong)")
        }
        if leaf.notValidBefore > now {
            return Finding(
                problem: "certificate is not valid yet (not valid before \(date(leaf.notValidBefore)))",
                advice: "check the system clock")
        }
        if hostnameMismatch {
            let names = names(leaf)
            let listed = names.isEmpty ? "no host name" : names.joined(separator: ", ")
            return Finding(
                problem: "hostname mismatch: certificate is for \(listed), not \(host)",
                advice: renameAdvice)
        }
        if let failure = error as? NIOSSLError, case .handshakeFailed = failure {
            let subject = distinguished(leaf.subjectName)
            if leaf.subjectName == leaf.issuerName {
                return Finding(
                    problem: "certificate signed by unknown authority (self-signed certificate \(subject))",
                    advice: trustAdvice)
            }
            return Finding(
                problem: "certificate signed by unknown authority (\(subject) issued by "
                    + "\(distinguished(leaf.issuerName)))", advice: trustAdvice)
        }
        return Finding(problem: "\(error)", advice: trustAdvice)
    }

    /// `host` and port (443 when none) of `host[:port]`, IPv6 in brackets.
    static func split(_ host: String) -> (String, Int) {
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            let name = String(host[host.index(after: host.startIndex)..<end])
            let rest = host[host.index(after: end)...]
            return (name, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 443 : 443)
        }
        if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            return (String(host[..<colon]), Int(host[host.index(after: colon)...]) ?? 443)
        }
        return (host, 443)
    }

    /// The DNS names and IP addresses of the certificate's subjectAltName, else its common name.
    static func names(_ certificate: NIOSSLCertificate) -> [String] {
        var names: [String] = []
        for name in certificate._subjectAlternativeNames() {
            let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
            if name.nameType == .dnsName {
                names.append(String(decoding: bytes, as: UTF8.self))
            } else if name.nameType == .ipAddress, let text = ipAddress(bytes) {
                names.append(text)
            }
        }
        if names.isEmpty {
            names = certificate.subjectName.filter { $0.type == .commonName }.map(\.value)
        }
        return names
    }

    private static func ipAddress(_ bytes: [UInt8]) -> String? {
        let family = bytes.count == 4 ? AF_INET : bytes.count == 16 ? AF_INET6 : -1
        guard family >= 0 else { return nil }
        var text = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { inet_ntop(family, raw.baseAddress, $0.baseAddress, 64) != nil }
        }
        return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    private static func distinguished(_ names: [SSLCertificateName]) -> String {
        let common = names.filter { $0.type == .commonName }.map { "CN=\($0.value)" }
        return common.isEmpty ? "without a common name" : common.joined(separator: ",")
    }

    private static func date(_ seconds: time_t) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The chain `host:port` presents, read by a handshake whose verification records the chain and fails.
    static func peerChain(host: String, port: Int) async -> [NIOSSLCertificate]? {
        let box = ChainBox()
        do {
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            let serverName = isIPAddress(host) ? nil : host
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture(withResultOf: {
                        let handler = try NIOSSLClientHandler(
                            context: context, serverHostname: serverName,
                            customVerificationCallback: { chain, promise in
                                box.set(chain)
                                promise.succeed(.failed)
                            })
                        try channel.pipeline.syncOperations.addHandler(handler)
                    })
                }
            let channel = try await bootstrap.connect(host: host, port: port).get()
            channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
            try? await channel.closeFuture.get()
        } catch {
            return box.get()
        }
        return box.get()
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// The chain handed from the event loop to the waiting task.
private final class ChainBox: Sendable {
    private let chain = Mutex<[NIOSSLCertificate]?>(nil)

    func set(_ value: [NIOSSLCertificate]) {
        chain.withLock { $0 = value }
    }

    func get() -> [NIOSSLCertificate]? {
        chain.withLock { $0 }
    }
}
