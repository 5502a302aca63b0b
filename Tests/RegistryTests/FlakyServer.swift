import Foundation

/// A stand-in for a registry under load (a fault docker-registry cannot be made to produce): answers the
/// first `failures` requests with 503 and `Retry-After: 1`, then `/v2/` with 200 and everything else with 404.
final class FlakyServer {
    private let server: LoopbackScript
    var port: Int { server.port }
    var address: String { "127.0.0.1:\(port)" }

    init(directory: String, failures: Int) throws {
        server = try LoopbackScript(
            Self.script, at: directory + "/flaky.py", arguments: [String(failures)],
            name: "flaky server")
    }

    func stop() { server.stop() }

    static let script = #"""
        import http.server, sys
        port, failures = int(sys.argv[1]), int(sys.argv[2])
        seen = [0]

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                seen[0] += 1
                if seen[0] <= failures:
                    self.send_response(503)
                    self.send_header("Retry-After", "1")
                elif self.path == "/v2/":
                    self.send_response(200)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#
}
