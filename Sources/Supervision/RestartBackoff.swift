/// The delay before a container is run again: 100 ms, doubling to at most 10 s, back to 100 ms after a
/// run that lasted 10 s or more (containerd's restart monitor and docker do the same).
struct RestartBackoff: Equatable {
    static let initial = 0.1
    static let maximum = 10.0
    /// A run at least this long resets the delay.
    static let resetAfter = 10.0

    private(set) var current = initial

    /// The delay before the next run, after a run that lasted `uptime` seconds.
    mutating func next(uptime: Double) -> Double {
        if uptime >= Self.resetAfter { current = Self.initial }
        let delay = current
        current = min(current * 2, Self.maximum)
        return delay
    }
}
