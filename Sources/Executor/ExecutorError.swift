import Diagnostics

/// Marks errors of this module (see `ExecutorError`). Its causes are worded as the executor always has:
/// a Berth error by its own description, any other error as Swift prints it.
public enum ExecutorErrorDomain: ErrorDomain {
    public static func describe(cause: any Error) -> String {
        if let inner = cause as? any BerthError { return inner.description }
        return "\(cause)"
    }
}

/// A failure while carrying out a plan, naming the container and the step.
public typealias ExecutorError = ModuleError<ExecutorErrorDomain>
