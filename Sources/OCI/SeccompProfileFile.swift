import Foundation

/// A `seccomp: PATH` profile file: the one rule for what it must hold, used by the host check at plan time
/// and by the spec builder at apply, so that a profile `plan` accepts is one `apply` takes.
public enum SeccompProfileFile {
    /// Why a file is not a profile.
    public struct Problem: Error, Equatable, Sendable {
        public var reason: String
    }

    /// The file's `linux.seccomp` object as written, or why it is not one (unreadable, not JSON, not an object
    /// with `defaultAction`).
    public static func load(path: String) -> Result<JSONValue, Problem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Problem(reason: FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "it does not exist"))
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .failure(Problem(reason: "it is not JSON"))
        }
        guard case .object = value, value["defaultAction"]?.stringValue != nil else {
            return .failure(Problem(reason: "it is not an OCI `linux.seccomp` object (no `defaultAction`)"))
        }
        return .success(value)
    }
}
