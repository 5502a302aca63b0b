import OCI
import Diagnostics

extension ManifestValidator {
    mutating func mount(_ item: Located<MountDescription>) -> MountDefinition? {
        let loc = item.location
        var type: Located<String>?, source: Located<String>?, destination: Located<String>?
        var options: [String] = []
        var subpath: Located<String>?
        switch item.value {
        case .line(let text) where !text.contains("="):
            // Compose's short form: SOURCE:TARGET[:MODE], a host path (bind) or a volume name.
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty,
                parts.count == 2 || ["ro", "rw"].contains(parts[2])
            else {
                diagnostics.append(ManifestDiagnostics.invalidShortMount(text, at: loc))
                return nil
            }
            let isPath = parts[0].hasPrefix("/") || parts[0].hasPrefix(".") || parts[0].hasPrefix("~")
            type = Located(isPath ? "bind" : MountDefinition.volumeType, at: loc)
            source = Located(parts[0], at: loc)
            destination = Located(parts[1], at: loc)
            options = isPath ? ["rbind"] : []
            if parts.count == 3, parts[2] == "ro" { options.append("ro") }
        case .line(let text):
            do {
                let fields = try MountLine.parse(text)
                type = fields.type.map { Located($0, at: loc) }
                source = fields.source.map { Located($0, at: loc) }
                destination = fields.destination.map { Located($0, at: loc) }
                options = fields.options ?? []
            } catch {
                switch error {
                case .syntax(let problem): diagnostics.append(ManifestDiagnostics.mountSyntax(text, problem: problem, at: loc))
                case .unknownKey(let key): diagnostics.append(ManifestDiagnostics.mountUnknownKey(key, at: loc))
                }
                return nil
            }
        case let .long(t, s, d, o, readonly, sub):
            (type, source, destination, options) = (t, s, d, (o ?? []).map(\.value))
            if readonly?.value == true, !options.contains("ro") { options.append("ro") }
            subpath = sub
        }
        var ok = true
        if type == nil || type?.value.isEmpty == true {
            diagnostics.append(ManifestDiagnostics.mountMissing("type", at: type?.location ?? loc))
            ok = false
        }
        if let destination, !destination.value.isEmpty {
            if !destination.value.hasPrefix("/") {
                diagnostics.append(ManifestDiagnostics.mountDestinationRelative(destination.value, at: destination.location))
                ok = false
            }
        } else {
            diagnostics.append(ManifestDiagnostics.mountMissing("destination", at: destination?.location ?? loc))
            ok = false
        }
        var resolvedSource = source?.value
        if type?.value == "bind" {
            if let s = source?.value, s == "~" || s.hasPrefix("~/") {
                // Compose expands `~` to the user's home; anything else relative is under the manifest's directory.
                if let home, home.hasPrefix("/") {
                    resolvedSource = ValueRules.clean(home + s.dropFirst())
                } else {
                    diagnostics.append(ManifestDiagnostics.bindHomeUnknown(s, at: source?.location ?? loc))
                    ok = false
                }
            } else if let s = source?.value, !s.isEmpty {
                resolvedSource = ValueRules.absolute(s, in: directory)
            } else {
                diagnostics.append(ManifestDiagnostics.bindWithoutSource(at: source?.location ?? loc))
                ok = false
            }
        }
        if type?.value == MountDefinition.volumeType {
            ok = checkVolumeMount(source: source, subpath: subpath, at: loc) && ok
        } else if let subpath {
            diagnostics.append(ManifestDiagnostics.subpathNotOnVolume(at: subpath.location))
            ok = false
        }
        guard ok, let type, let destination else { return nil }
        return MountDefinition(
            type: type.value, source: resolvedSource, destination: destination.value, options: options, subpath: subpath?.value)
    }

    mutating func namespaces(_ d: ContainerDescription) -> [NamespaceJoin] {
        var joins: [NamespaceJoin] = []
        var seenTypes: Set<String> = []
        for item in d.withNamespaces?.value ?? [] {
            guard let join = namespace(item) else { continue }
            let loc = item.location
            if !seenTypes.insert(join.type.rawValue).inserted {
                diagnostics.append(ManifestDiagnostics.namespaceDuplicate(join.type.rawValue, at: loc))
            }
            if join.type == "network", d.netHost?.value == true {
                diagnostics.append(ManifestDiagnostics.netHostConflict(at: loc))
            }
            joins.append(join)
        }
        return joins
    }

    private mutating func namespace(_ item: Located<NamespaceDescription>) -> NamespaceJoin? {
        let loc = item.location
        switch item.value {
        case .line(let text):
            guard let colon = text.firstIndex(of: ":") else {
                diagnostics.append(ManifestDiagnostics.namespaceNotTypePath(text, at: loc))
                return nil
            }
            let type = String(text[..<colon]), path = String(text[text.index(after: colon)...])
            let typeOK = checkNamespaceType(Located(type, at: loc))
            let pathOK = checkNamespacePath(Located(path, at: loc))
            return typeOK && pathOK ? NamespaceJoin(type: NamespaceType(rawValue: type), target: .path(path)) : nil
        case let .long(type, path, container):
            guard let type else {
                diagnostics.append(ManifestDiagnostics.missingKey("type", in: "a `with-ns` entry", at: loc))
                return nil
            }
            let typeOK = checkNamespaceType(type)
            switch (path, container) {
            case (let path?, nil):
                return checkNamespacePath(path) && typeOK ? NamespaceJoin(type: NamespaceType(rawValue: type.value), target: .path(path.value)) : nil
            case (nil, let container?):
                return typeOK ? NamespaceJoin(type: NamespaceType(rawValue: type.value), target: .container(container.value)) : nil
            default:
                diagnostics.append(ManifestDiagnostics.namespaceTarget(at: loc))
                return nil
            }
        }
    }

    private mutating func checkNamespaceType(_ type: Located<String>) -> Bool {
        guard ManifestRules.namespaceTypes.contains(type.value) else {
            diagnostics.append(ManifestDiagnostics.unknownNamespaceType(type.value, at: type.location))
            return false
        }
        return true
    }

    private mutating func checkNamespacePath(_ path: Located<String>) -> Bool {
        guard path.value.hasPrefix("/") else {
            diagnostics.append(ManifestDiagnostics.notAbsolute("with-ns", path.value, at: path.location))
            return false
        }
        return true
    }
}
