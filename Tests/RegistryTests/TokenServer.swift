import Foundation

/// A bearer-token server for `docker-registry`'s `auth: token` mode: a small python3 script that
/// issues ES256 JWTs (signed with openssl) to clients presenting the right basic credentials (GET), or the
/// right refresh token in an OAuth2 `refresh_token` grant (POST).
final class TokenServer {
    let directory: String
    private let server: LoopbackScript
    var port: Int { server.port }

    var certificate: String { directory + "/token-cert.pem" }
    var realm: String { "http://127.0.0.1:\(port)/token" }
    static let issuer = "berth-test-issuer"
    static let service = "berth-test-registry"

    init(directory: String, user: String, password: String, refreshToken: String = "berth-refresh-token") throws {
        self.directory = directory
        let certificate = directory + "/token-cert.pem"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Shell.run(
            "/usr/bin/openssl",
            [
                "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                "-out", directory + "/token-key.pem",
            ])
        try Shell.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-new", "-key", directory + "/token-key.pem",
                "-subj", "/CN=berth-token", "-days", "2", "-out", certificate,
            ])
        server = try LoopbackScript(
            Self.script, at: directory + "/token.py",
            arguments: [
                directory + "/token-key.pem", certificate, Self.issuer, Self.service,
                user, password, refreshToken,
            ],
            log: directory + "/token.log", name: "token server")
    }

    /// The registry config section that delegates auth to this server.
    var registryConfig: String {
        "auth:\n  token:\n    realm: \(realm)\n    service: \(Self.service)\n    issuer: \(Self.issuer)\n"
            + "    rootcertbundle: \(certificate)\n"
    }

    func stop() { server.stop() }

    static let script = #"""
        import base64, http.server, json, subprocess, sys, time, urllib.parse
        port, key, cert, issuer, service, user, password, refresh = sys.argv[1:9]
        x5c = "".join(l for l in open(cert).read().splitlines() if "CERTIFICATE" not in l)
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        def der_to_raw(der):
            # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> 32-byte r || 32-byte s
            i = 2 if der[1] < 0x80 else 3
            out = b""
            for _ in range(2):
                n = der[i + 1]
                value = der[i + 2:i + 2 + n].lstrip(b"\x00")
                out += value.rjust(32, b"\x00")
                i += 2 + n
            return out

        def issue(query, field):
            access = []
            for scope in query.get("scope", []):
                kind, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else ("", "", "")
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
            now = int(time.time())
            header = {"typ": "JWT", "alg": "ES256", "x5c": [x5c]}
            claims = {"iss": issuer, "sub": user, "aud": query.get("service", [service])[0], "exp": now + 600,
                      "nbf": now - 60, "iat": now - 60, "jti": str(time.time_ns()),
                      "access": access}
            signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
            der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                                 capture_output=True, check=True).stdout
            token = signing_input + "." + b64(der_to_raw(der))
            return json.dumps({field: token, "expires_in": 600}).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, body):
                if body is None:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.headers.get("Authorization") != expected:
                    return self.answer(None)
                self.answer(issue(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query), "token"))

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [refresh]:
                    return self.answer(None)
                self.answer(issue(form, "access_token"))

        http.server.HTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
        """#
}
