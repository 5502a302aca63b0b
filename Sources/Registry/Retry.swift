import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Bounded retries with exponential backoff for transient registry failures.
enum Retry {
    static func run<T: Sendable>(_ options: RegistryOptions, _ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as RegistryError where error.isTransient && attempt < options.maxAttempts {
                let backoff = options.retryDelay * (1 << min(attempt - 1, 10))
                try await Task.sleep(for: max(backoff, error.retryAfter ?? .zero))
                attempt += 1
            }
        }
    }

    /// Throws a transient error for 429 and 5xx answers.
    static func checkTransient(_ response: HTTPClientResponse, what: String, registry: String) throws {
        let status = Int(response.status.code)
        guard status == 429 || (500..<600).contains(status) else { return }
        var error = RegistryError.http(what, status: status, registry: registry)
        error.isTransient = true
        // Seconds only (the HTTP-date form is rare from registries); capped so a pull never hangs for long.
        if let value = response.headers.first(name: "Retry-After"), let seconds = Int(value), seconds >= 0 {
            error.retryAfter = .seconds(min(seconds, 30))
        }
        throw error
    }
}

/// Maps NIO and AsyncHTTPClient failures to registry errors a user can act on.
enum TransportErrors {
    static func classify(_ error: any Error, registry: String, host: String) -> any Error {
        switch error {
        case is RegistryError, is CancellationError:
            return error
        case let connection as NIOConnectionError:
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return RegistryError.unknownHost(connection.host, error)
            }
            return RegistryError.unreachable(registry, error)
        case is SocketAddressError:
            return RegistryError.unknownHost(host, error)
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return RegistryError.tls(registry, host: host, problem: "\(error)", advice: TLSDiagnosis.trustAdvice, error)
        default:
            return RegistryError.unreachable(registry, error)
        }
    }
}
