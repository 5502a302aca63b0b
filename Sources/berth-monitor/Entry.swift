import Foundation
import Supervision

/// A container's monitor, started by Berth with a `MonitorRequest` on its command line (or, warm, on its
/// standard input); never by hand.
@main
enum Entry {
    static func main() {
        switch MonitorInvocation(commandLine: CommandLine.arguments) {
        case .supervise(let request)?: exit(Monitor.run(request))
        case .unneeded?: exit(0)
        case nil:
            FileHandle.standardError.write(Data("berth-monitor: started by berth for one container, not by hand\n".utf8))
            exit(2)
        }
    }
}
