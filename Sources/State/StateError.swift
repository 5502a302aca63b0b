import Diagnostics

/// Marks errors of this module (see `StateError`).
public enum StateErrorDomain: ErrorDomain {}

/// A failure reading or writing Berth's state database or its locks; `code` is stable, `message` names the
/// database, directory or lock.
public typealias StateError = ModuleError<StateErrorDomain>
