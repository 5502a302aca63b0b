import Foundation
import OCI

/// `linux.seccomp` as containerd's `WithDefaultProfile` writes it (ctr's `--seccomp`), built from
/// `SeccompDefaults` for the capabilities the container ends up with.
enum SeccompProfile {
    /// The default profile: unknown syscalls fail with EPERM; the allow-lists, the argument rules, and what
    /// each capability of `bounding` adds, in the order of `bounding`.
    static func defaultProfile(bounding: [String]) -> JSONValue {
        var rules: [JSONValue] = [allow(SeccompDefaults.allowed)]
        for rule in SeccompDefaults.argumentRules {
            rules.append(allow([rule.name], args: [argument(index: rule.index, value: rule.value, op: rule.op)]))
        }
        rules.append(allow(SeccompDefaults.allowedSinceKernel48))
        rules.append(allow(SeccompDefaults.allowedOnX86_64))
        for capability in bounding {
            if let names = SeccompDefaults.allowedByCapability[capability] { rules.append(allow(names)) }
        }
        if !bounding.contains("CAP_SYS_ADMIN") {
            rules.append(
                allow(["clone"], args: [argument(index: 0, value: SeccompDefaults.namespaceCloneFlags, op: "SCMP_CMP_MASKED_EQ")]))
            rules.append(
                .object([
                    "names": .array([.string("clone3")]), "action": .string("SCMP_ACT_ERRNO"),
                    "errnoRet": .int(SeccompDefaults.enosys),
                ]))
        }
        return .object([
            "defaultAction": .string("SCMP_ACT_ERRNO"),
            "architectures": .array(SeccompDefaults.architectures.map(JSONValue.string)),
            "syscalls": .array(rules),
        ])
    }

    private static func allow(_ names: [String], args: [JSONValue] = []) -> JSONValue {
        var rule: [String: JSONValue] = ["names": .array(names.map(JSONValue.string)), "action": .string("SCMP_ACT_ALLOW")]
        if !args.isEmpty { rule["args"] = .array(args) }
        return .object(rule)
    }

    /// One argument condition; `valueTwo` is 0 in every default rule and, as in the spec's JSON, left out.
    private static func argument(index: Int64, value: Int64, op: String) -> JSONValue {
        .object(["index": .int(index), "value": .int(value), "op": .string(op)])
    }
}
