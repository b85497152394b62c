/// Whether a version satisfies a set of PEP 440 version clauses, with the rules of
/// `packaging.specifiers.SpecifierSet.contains`: pre-releases only match if some clause
/// names one, `>V` skips V's post-releases, `<V` skips V's pre-releases, `===` compares text.
enum SpecifierSet {
    struct InvalidVersion: Error {
        let version: String
    }

    /// Fails like packaging does when deciding whether pre-releases are allowed: each
    /// clause (except `!=`) parses its version with `Version()` until one names a
    /// pre-release, so e.g. `===abc` raises "Invalid version: 'abc'". (packaging walks a
    /// frozenset, so its order is arbitrary; clause order is used here.)
    static func contains(_ clauses: [(op: String, version: String)], _ candidate: PEP440Version) -> Result<Bool, InvalidVersion> {
        var allowsPre = false
        for clause in clauses where ["==", ">=", "<=", "~=", "===", ">", "<"].contains(clause.op) {
            let text = clause.op == "==" && clause.version.hasSuffix(".*") ? String(clause.version.dropLast(2)) : clause.version
            guard let version = PEP440Version(text) else { return .failure(InvalidVersion(version: text)) }
            if version.isPrerelease {
                allowsPre = true
                break
            }
        }
        if candidate.isPrerelease, !allowsPre { return .success(false) }
        return .success(clauses.allSatisfy { matches(op: $0.op, spec: $0.version, candidate) })
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
