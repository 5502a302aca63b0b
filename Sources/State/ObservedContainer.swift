/// What is true of a recorded container now, as the runtime and the monitor show it: the record with its
/// status and pid corrected, and whether a monitor still supervises it. Observations are never saved.
public struct ObservedContainer: Sendable, Hashable {
    public var record: ContainerRecord
    /// False when the runtime runs the container but its monitor is gone: nobody records its end, its
    /// output is lost, and its rootfs stays mounted after it ends.
    public var supervised: Bool

    public init(record: ContainerRecord, supervised: Bool = true) {
        self.record = record
        self.supervised = supervised
    }
}

/// Looks at the outside world for the planner (which has no runtime of its own): one answer for the
/// planner, `ps` and the executor, so that they never disagree about what runs.
public protocol ContainerObserver: Sendable {
    /// The record as the runtime shows it now.
    func observe(_ record: ContainerRecord) -> ObservedContainer
    /// The ids the runtime knows under this state root, recorded or not (a lost state database leaves
    /// containers the records no longer name).
    func runtimeIDs() -> Set<String>
}
