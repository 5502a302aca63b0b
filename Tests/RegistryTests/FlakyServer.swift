import Foundation

/// A stand-in for a registry under load (a fault docker-registry cannot be made to produce): answers the
/// first `failures` requests with 503 and `Retry-After: 1`, then `/v2/` with 200 and everything else with 404.
final class FlakyServer {
    let port: Int
    private var process: Process?
    var address: String { "127.0.0.1:\(port)" }

    init(directory: String, failures: Int) throws {
        port = try RegistryServer.freePort()
        let script = directory + "/flaky.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, String(port), String(failures)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if RegistryServer.canConnect(port: port) { return }
            usleep(50_000)
        }
        stop()
        throw ShellError(message: "flaky server did not start")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

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
