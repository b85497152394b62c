/// A PEP 440 version, enough to order `flwr-version-target` against a `flwr>=` bound.
struct PEP440Version: Comparable {
    let epoch: Int
    let release: [Int]
    /// (phase 0 = a, 1 = b, 2 = rc, number)
    let pre: (Int, Int)?
    let post: Int?
    let dev: Int?

    /// Parses the PEP 440 normal form and its accepted spellings (case-insensitive,
    /// optional "v", separators `.`/`-`/`_`, "alpha"/"beta"/"c"/"pre"/"preview",
    /// "rev"/"r", implicit post "-N"); a local part ("+…") is accepted and ignored.
    init?(_ text: String) {
        var s = Array(text.trimmingWhitespace().lowercased().utf8)[...]
        if s.first == UInt8(ascii: "v") { s = s.dropFirst() }
        func number(_ s: inout ArraySlice<UInt8>) -> Int? {
            var value = 0, count = 0
            while let c = s.first, c >= 0x30, c <= 0x39 {
                guard value < Int.max / 10 - 10 else { return nil }
                value = value * 10 + Int(c - 0x30)
                s = s.dropFirst()
                count += 1
            }
            return count > 0 ? value : nil
        }
        func separator(_ s: inout ArraySlice<UInt8>) {
            if let c = s.first, c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") { s = s.dropFirst() }
        }
        func word(_ s: inout ArraySlice<UInt8>, _ options: [String]) -> String? {
            for option in options where s.starts(with: option.utf8) {
                s = s.dropFirst(option.utf8.count)
                return option
            }
            return nil
        }
        var epoch = 0
        var probe = s
        if let e = number(&probe), probe.first == UInt8(ascii: "!") {
            epoch = e
            s = probe.dropFirst()
        }
        guard let first = number(&s) else { return nil }
        var release = [first]
        while s.first == UInt8(ascii: "."), s.dropFirst().first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true {
            s = s.dropFirst()
            guard let part = number(&s) else { return nil }
            release.append(part)
        }
        var pre: (Int, Int)?
        probe = s
        separator(&probe)
        if let phase = word(&probe, ["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"]) {
            separator(&probe)
            let n = number(&probe) ?? 0
            pre = (["alpha": 0, "a": 0, "beta": 1, "b": 1][phase] ?? 2, n)
            s = probe
        }
        var post: Int?
        probe = s
        if probe.first == UInt8(ascii: "-"), let n = { var p = probe.dropFirst(); let v = number(&p); probe = p; return v }() {
            post = n
            s = probe
        } else {
            probe = s
            separator(&probe)
            if word(&probe, ["post", "rev", "r"]) != nil {
                separator(&probe)
                post = number(&probe) ?? 0
                s = probe
            }
        }
        var dev: Int?
        probe = s
        separator(&probe)
        if word(&probe, ["dev"]) != nil {
            separator(&probe)
            dev = number(&probe) ?? 0
            s = probe
        }
        if s.first == UInt8(ascii: "+") {
            let local = s.dropFirst()
            guard !local.isEmpty, local.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F })
            else { return nil }
            s = []
        }
        guard s.isEmpty else { return nil }
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
    }

    /// Everything after the release segment, as one comparable list. PEP 440 ordering:
    /// dev-only < pre < final < post; within each, a missing dev release sorts last.
    private var suffixKey: [Int] {
        let preKey: [Int]
        if let pre { preKey = [pre.0, pre.1] } else if post == nil, dev != nil { preKey = [-1, 0] } else { preKey = [3, 0] }
        return preKey + [post ?? -1, dev ?? Int.max]
    }

    static func < (lhs: PEP440Version, rhs: PEP440Version) -> Bool {
        if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch }
        // Release segments compare with trailing zeros ignored (1.0 == 1.0.0).
        for i in 0..<max(lhs.release.count, rhs.release.count) {
            let a = i < lhs.release.count ? lhs.release[i] : 0
            let b = i < rhs.release.count ? rhs.release[i] : 0
            if a != b { return a < b }
        }
        return lhs.suffixKey.lexicographicallyPrecedes(rhs.suffixKey)
    }

    static func == (lhs: PEP440Version, rhs: PEP440Version) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
