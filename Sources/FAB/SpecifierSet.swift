/// Whether a version satisfies a set of PEP 440 version clauses, with the rules of
/// `packaging.specifiers.SpecifierSet.contains`: pre-releases only match if some clause
/// names one, `>V` skips V's post-releases, `<V` skips V's pre-releases, `===` compares text.
enum SpecifierSet {
    static func contains(_ clauses: [(op: String, version: String)], _ candidate: PEP440Version) -> Bool {
        let allowsPre = clauses.contains { clause in
            guard ["==", ">=", "<=", "~=", "===", ">", "<"].contains(clause.op) else { return false }
            let text = clause.version.hasSuffix(".*") ? String(clause.version.dropLast(2)) : clause.version
            return PEP440Version(text)?.isPrerelease == true
        }
        if candidate.isPrerelease, !allowsPre { return false }
        return clauses.allSatisfy { matches(op: $0.op, spec: $0.version, candidate) }
    }

    private static func matches(op: String, spec text: String, _ candidate: PEP440Version) -> Bool {
        if op == "===" { return candidate.normalized.lowercased() == text.lowercased() }
        if text.hasSuffix(".*") {
            guard let base = PEP440Version(String(text.dropLast(2))) else { return false }
            let prefixMatch = candidate.epoch == base.epoch && base.release.indices.allSatisfy {
                ($0 < candidate.release.count ? candidate.release[$0] : 0) == base.release[$0]
            }
            return op == "==" ? prefixMatch : !prefixMatch
        }
        guard let spec = PEP440Version(text) else { return false }
        switch op {
        case "==": return (spec.local == nil ? candidate.publicVersion : candidate) == spec
        case "!=": return (spec.local == nil ? candidate.publicVersion : candidate) != spec
        case "<=": return candidate.publicVersion <= spec
        case ">=": return candidate.publicVersion >= spec
        case "<":
            guard candidate < spec else { return false }
            return spec.isPrerelease || !candidate.isPrerelease || candidate.baseVersion != spec.baseVersion
        case ">":
            guard candidate > spec else { return false }
            if !spec.isPostrelease, candidate.isPostrelease, candidate.baseVersion == spec.baseVersion { return false }
            if candidate.local != nil, candidate.baseVersion == spec.baseVersion { return false }
            return true
        case "~=":
            guard candidate.publicVersion >= spec, spec.release.count >= 2 else { return false }
            let prefix = spec.release.dropLast()
            return candidate.epoch == spec.epoch && prefix.indices.allSatisfy {
                ($0 < candidate.release.count ? candidate.release[$0] : 0) == prefix[$0]
            }
        default: return false
        }
    }
}
