import BerthSystem
import OCI

/// When the monitor runs a container again after its process ends (`restart:`).
public enum RestartPolicy: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Never (the default).
    case no
    /// After a non-zero exit, at most `maxRetries` times (nil: without limit).
    case onFailure(maxRetries: Int?)
    /// After every exit, until `berth stop` or `down`.
    case always
    /// As `always`; without a daemon the two differ only in `berth boot`, which skips containers stopped by hand
    /// for both (see the README).
    case unlessStopped

    /// `no`, `on-failure`, `on-failure:N`, `always`, `unless-stopped`; nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "no": self = .no
        case "always": self = .always
        case "unless-stopped": self = .unlessStopped
        case "on-failure": self = .onFailure(maxRetries: nil)
        default:
            guard text.hasPrefix("on-failure:"), let count = Int(text.dropFirst("on-failure:".count)), count >= 0 else { return nil }
            self = .onFailure(maxRetries: count)
        }
    }

    public var description: String {
        switch self {
        case .no: return "no"
        case .always: return "always"
        case .unlessStopped: return "unless-stopped"
        case .onFailure(let max?): return "on-failure:\(max)"
        case .onFailure(nil): return "on-failure"
        }
    }

    /// Whether a run that ended with `exitCode`, after `restarts` restarts so far, is run again.
    public func restartsAfter(exitCode: Int32, restarts: Int) -> Bool {
        switch self {
        case .no: return false
        case .always, .unlessStopped: return true
        case .onFailure(let max): return exitCode != 0 && (max.map { restarts < $0 } ?? true)
        }
    }

    /// Whether `berth boot` starts the container again after a reboot.
    public var startsAtBoot: Bool { self == .always || self == .unlessStopped }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let policy = RestartPolicy(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid restart policy \(text)"))
        }
        self = policy
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A health check: the command the monitor runs in the container (`runc exec`) on a schedule, and how its
/// results make the container `starting`, `healthy` or `unhealthy` (docker's model).
public struct HealthCheck: Hashable, Sendable, Codable {
    /// `["CMD", arg...]` (run directly) or `["CMD-SHELL", script]` (run by `/bin/sh -c`).
    public var test: [String]
    /// Seconds between probes (default 30).
    public var interval: Double
    /// Seconds a probe may take before it counts as failed (default 30).
    public var timeout: Double
    /// Consecutive failures that make the container unhealthy (default 3).
    public var retries: Int
    /// Seconds after a start during which failures do not count (default 0).
    public var startPeriod: Double
    /// Seconds between probes during the start period (default 5).
    public var startInterval: Double

    public static let defaultInterval = 30.0
    public static let defaultTimeout = 30.0
    public static let defaultRetries = 3
    public static let defaultStartInterval = 5.0

    public init(
        test: [String], interval: Double = defaultInterval, timeout: Double = defaultTimeout, retries: Int = defaultRetries,
        startPeriod: Double = 0, startInterval: Double = defaultStartInterval
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
        self.startInterval = startInterval
    }

    /// The command line a probe runs in the container.
    public var command: [String] {
        test.first == "CMD-SHELL" ? ["/bin/sh", "-c", test.dropFirst().joined(separator: " ")] : Array(test.dropFirst())
    }

    /// The image's `Healthcheck` (durations in nanoseconds, 0 meaning the default); nil when it has none or
    /// its test is `NONE`.
    public init?(image: ImageConfiguration.HealthConfig?) {
        guard let image, let test = image.test, let kind = test.first, kind == "CMD" || kind == "CMD-SHELL", test.count > 1 else {
            return nil
        }
        func seconds(_ nanoseconds: Int64?, _ fallback: Double) -> Double {
            guard let nanoseconds, nanoseconds > 0 else { return fallback }
            return Double(nanoseconds) / 1_000_000_000
        }
        self.init(
            test: test, interval: seconds(image.interval, Self.defaultInterval), timeout: seconds(image.timeout, Self.defaultTimeout),
            retries: (image.retries ?? 0) > 0 ? image.retries ?? Self.defaultRetries : Self.defaultRetries,
            startPeriod: seconds(image.startPeriod, 0), startInterval: seconds(image.startInterval, Self.defaultStartInterval))
    }
}

/// `healthcheck:` as written: a check, or `disable: true` (the image's check is not run either).
public enum HealthCheckSetting: Hashable, Sendable, Codable {
    case check(HealthCheck)
    case disabled
}

extension Optional where Wrapped == HealthCheckSetting {
    /// The check the container runs: the manifest's, else (no `healthcheck:`) the image's.
    public func effective(image: ImageConfiguration.HealthConfig?) -> HealthCheck? {
        switch self {
        case .some(.check(let check)): return check
        case .some(.disabled): return nil
        case .none: return HealthCheck(image: image)
        }
    }
}

/// What `apply` waits for before it starts a dependent (`depends-on: {db: {condition: healthy}}`).
public enum DependencyCondition: String, Hashable, Sendable, Codable, CaseIterable {
    /// The dependency's process was started (the default, and the list form's meaning).
    case started
    /// Its health check passed.
    case healthy
    /// It ran to its end with exit code 0.
    case completedSuccessfully = "completed-successfully"
}

/// A dependency with a condition other than `started`, or a timeout of its own.
public struct DependencyRequirement: Hashable, Sendable, Codable {
    public var condition: DependencyCondition
    /// Seconds `apply` waits for the condition.
    public var timeout: Double

    public static let defaultTimeout = 120.0

    public init(condition: DependencyCondition, timeout: Double = defaultTimeout) {
        self.condition = condition
        self.timeout = timeout
    }
}
