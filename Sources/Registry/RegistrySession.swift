import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One conversation with one repository: picks https or http, answers auth challenges, follows redirects.
actor RegistrySession {
    let client: HTTPClient
    let options: RegistryOptions
    let endpoint: RegistryEndpoint
    private var baseURL: String?
    private var authorization: String?
    private var challenge: AuthChallenge?
    private var credentials: RegistryCredentials?

    init(
        client: HTTPClient, options: RegistryOptions, endpoint: RegistryEndpoint,
        credentials: RegistryCredentials? = nil
    ) {
        self.client = client
        self.options = options
        self.endpoint = endpoint
        self.credentials = credentials
    }

    /// `GET /v2/`: chooses the scheme (https; http only where allowed and https fails) and gets a token if asked.
    func connect() async throws {
        if baseURL != nil { return }
        var response: HTTPClientResponse
        let mayUseHTTP = options.allowsPlainHTTP(endpoint.registry)
        do {
            // Where plain HTTP may follow, a TLS failure is only explained once plain HTTP failed too.
            response = try await ping("https://\(endpoint.host)", diagnoseTLS: !mayUseHTTP)
            baseURL = "https://\(endpoint.host)"
        } catch let error as RegistryError
            where mayUseHTTP
            && (error.code == "registry-tls" || error.code == "registry-unreachable")
        {
            do {
                response = try await plainPing(afterHTTPSFailure: error)
            } catch let failure as RegistryError {
                throw await diagnosed(failure, url: "https://\(endpoint.host)/v2/")
            }
            baseURL = "http://\(endpoint.host)"
        }
        switch response.status.code {
        case 200..<300:
            return
        case 401:
            guard let header = response.headers.first(name: "WWW-Authenticate"),
                let parsed = AuthChallenge(header: header)
            else { throw RegistryError.unauthorized(endpoint.registry, repository: endpoint.repository, status: 401) }
            challenge = parsed
            // Looked up only when the registry asks, so an open registry never runs a credential helper.
            if credentials == nil {
                credentials = try CredentialStore.lookup(registry: endpoint.registry, options: options)
            }
            try await authenticate()
        default:
            throw RegistryError.http("/v2/", status: Int(response.status.code), registry: endpoint.registry)
        }
    }

    /// Connects and checks that `/v2/` accepts the session's credentials (for `login`).
    func verifyCredentials() async throws {
        try await connect()
        let response = try await send(HTTPClientRequest(url: (baseURL ?? "") + "/v2/"))
        _ = try? await response.body.collect(upTo: 1 << 20)
        let status = Int(response.status.code)
        if status == 401 || status == 403 {
            throw RegistryError.loginRefused(endpoint.registry, username: credentials?.username ?? "", status: status)
        }
        guard (200..<300).contains(status) else {
            throw RegistryError.http("/v2/", status: status, registry: endpoint.registry)
        }
    }

    /// The `/v2/` answer over plain HTTP, or the error that explains the failure best: a registry speaking
    /// TLS answers plain HTTP with 400 (so the TLS failure is the real problem); one speaking HTTP, with its status.
    private func plainPing(afterHTTPSFailure httpsError: RegistryError) async throws -> HTTPClientResponse {
        let plain: HTTPClientResponse
        do {
            plain = try await ping("http://\(endpoint.host)")
        } catch let error as RegistryError where error.code == "registry-http" {
            throw error
        } catch {
            throw httpsError
        }
        if plain.status.code == 400 { throw httpsError }
        return plain
    }

    private func ping(_ base: String, diagnoseTLS: Bool = true) async throws -> HTTPClientResponse {
        try await Retry.run(options) {
            let response = try await self.execute(HTTPClientRequest(url: base + "/v2/"), diagnoseTLS: diagnoseTLS)
            _ = try? await response.body.collect(upTo: 1 << 20)
            try Retry.checkTransient(response, what: "/v2/", registry: self.endpoint.registry)
            return response
        }
    }

    /// Sets `authorization` from the challenge: basic credentials, or a bearer token for pulling the repository.
    private func authenticate() async throws {
        guard let challenge else { return }
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw RegistryError.unauthorized(endpoint.registry, repository: endpoint.repository, status: 401)
            }
            guard credentials.identityToken == nil else {
                throw RegistryError(
                    "registry-unauthorized",
                    "registry \(endpoint.registry) asks for a user name and "
                        + "password, but the configured credentials are an identity token (only usable "
                        + "with token authentication); log in with `berth login \(endpoint.registry)`",
                    category: .usage)
            }
            authorization = credentials.basicAuthorization
        case "bearer":
            authorization = "Bearer " + (try await fetchToken(challenge))
        default:
            throw RegistryError.protocolError(
                "registry \(endpoint.registry) asks for unsupported authentication "
                    + "\"\(challenge.scheme)\"")
        }
    }

    private struct TokenResponse: Decodable {
        var token: String?
        var accessToken: String?
        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
        }
    }

    private func fetchToken(_ challenge: AuthChallenge) async throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.protocolError("registry \(endpoint.registry) sent a bearer challenge without a realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: "repository:\(endpoint.repository):pull"))
        components.queryItems = query
        guard let url = components.string else {
            throw RegistryError.protocolError("registry \(endpoint.registry) sent an unusable token realm \(realm)")
        }
        let request = tokenRequest(url: url, realm: realm, challenge: challenge)
        let body = try await Retry.run(options) {
            let response = try await self.execute(request)
            let body = try await response.body.collect(upTo: 1 << 20)
            if response.status.code == 401 || response.status.code == 403 {
                throw RegistryError.unauthorized(
                    self.endpoint.registry, repository: self.endpoint.repository,
                    status: Int(response.status.code))
            }
            try Retry.checkTransient(response, what: "a token", registry: self.endpoint.registry)
            guard response.status.code == 200 else {
                throw RegistryError.http(
                    "a token from \(realm)", status: Int(response.status.code),
                    registry: self.endpoint.registry)
            }
            return Data(body.readableBytesView)
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: body),
            let token = decoded.token ?? decoded.accessToken, !token.isEmpty
        else {
            throw RegistryError.protocolError(
                "token endpoint \(realm) of registry \(endpoint.registry) "
                    + "returned no token")
        }
        return token
    }

    /// GET of the realm with the scope (and basic credentials when known); with an identity token, the OAuth2
    /// `refresh_token` grant POSTed to the realm instead.
    private func tokenRequest(url: String, realm: String, challenge: AuthChallenge) -> HTTPClientRequest {
        guard let identityToken = credentials?.identityToken else {
            var request = HTTPClientRequest(url: url)
            if let auth = credentials?.basicAuthorization { request.headers.add(name: "Authorization", value: auth) }
            return request
        }
        var fields = [
            ("grant_type", "refresh_token"), ("client_id", "berth"), ("refresh_token", identityToken),
            ("scope", "repository:\(endpoint.repository):pull"),
        ]
        if let service = challenge.parameters["service"] { fields.append(("service", service)) }
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        let form = fields.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")
        }.joined(separator: "&")
        var request = HTTPClientRequest(url: realm)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        return request
    }

    /// GET `path` under `/v2/<repository>/`, with auth and redirects; 401/403 become `registry-unauthorized`
    /// (after one token refresh), 429/5xx a retryable error. The caller reads (or drops) the body.
    func get(
        _ path: String, accept: [String] = [], headers: [String: String] = [:]
    ) async throws
        -> HTTPClientResponse
    {
        try await connect()
        var refreshed = false
        while true {
            var request = HTTPClientRequest(url: (baseURL ?? "") + "/v2/\(endpoint.repository)/\(path)")
            for type in accept { request.headers.add(name: "Accept", value: type) }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await send(request)
            let status = Int(response.status.code)
            if status == 401 || status == 403 {
                _ = try? await response.body.collect(upTo: 1 << 20)
                if status == 401, !refreshed, challenge?.scheme == "bearer" {
                    refreshed = true
                    if let header = response.headers.first(name: "WWW-Authenticate"),
                        let parsed = AuthChallenge(header: header)
                    {
                        challenge = parsed
                    }
                    try await authenticate()
                    continue
                }
                throw RegistryError.unauthorized(endpoint.registry, repository: endpoint.repository, status: status)
            }
            try Retry.checkTransient(response, what: path, registry: endpoint.registry)
            return response
        }
    }

    /// Sends `request` with the session's authorization, following up to 5 redirects (dropping the
    /// authorization when a redirect leaves the registry's host).
    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var request = request
        if let authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        for _ in 0..<5 {
            let response = try await execute(request)
            guard [301, 302, 303, 307, 308].contains(Int(response.status.code)),
                let location = response.headers.first(name: "Location"),
                let target = URL(string: location, relativeTo: URL(string: request.url))
            else {
                return response
            }
            _ = try? await response.body.collect(upTo: 1 << 20)
            let next = target.absoluteString
            if URL(string: next)?.host != URL(string: request.url)?.host {
                request.headers.remove(name: "Authorization")
            }
            request.url = next
        }
        throw RegistryError.protocolError(
            "registry \(endpoint.registry) redirected more than 5 times "
                + "for \(request.url)")
    }

    /// Runs one request, turning transport failures into registry errors (retryable where a retry can help).
    private func execute(_ request: HTTPClientRequest, diagnoseTLS: Bool = true) async throws -> HTTPClientResponse {
        do {
            // The read timeout catches stalls; the deadline only bounds one very long layer download.
            return try await client.execute(request, timeout: .hours(6))
        } catch {
            let classified = TransportErrors.classify(error, registry: endpoint.registry, host: endpoint.host)
            if diagnoseTLS, let tls = classified as? RegistryError { throw await diagnosed(tls, url: request.url) }
            throw classified
        }
    }

    /// A TLS failure with the certificate problem spelled out (see `TLSDiagnosis`); other errors unchanged.
    private func diagnosed(_ error: RegistryError, url: String) async -> RegistryError {
        guard error.code == "registry-tls", let cause = error.underlying,
            let components = URLComponents(string: url), let name = components.host
        else { return error }
        let bracketed = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
        let host = bracketed + (components.port.map { ":\($0)" } ?? "")
        let finding = await TLSDiagnosis.problem(cause, host: host)
        return RegistryError.tls(endpoint.registry, host: host, problem: finding.problem, advice: finding.advice, cause)
    }
}
