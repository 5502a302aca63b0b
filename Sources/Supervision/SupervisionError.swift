import Diagnostics

/// Marks errors of this module (see `SupervisionError`).
public enum SupervisionErrorDomain: ErrorDomain {
    public static func describe(cause: any Error) -> String {
        if let inner = cause as? any BerthError { return inner.description }
        return "\(cause)"
    }
}

/// A failure of a container's monitor: its log, its volumes' paths, its runs.
public typealias SupervisionError = ModuleError<SupervisionErrorDomain>
