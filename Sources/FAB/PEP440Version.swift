/// A PEP 440 version, enough to order `flwr-version-target` against a `flwr>=` bound.
struct PEP440Version: Comparable {
    let epoch: Int
    let release: [Int]
    /// (phase 0 = a, 1 = b, 2 = rc, number)
    let pre: (Int, Int)?
    let post: Int?
    let dev: Int?
    /// Local segments ("+ubuntu.1" → ["ubuntu", "1"]), nil if none.
    let local: [String]?

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
        var local: [String]?
        if s.first == UInt8(ascii: "+") {
            let text = String(decoding: s.dropFirst(), as: UTF8.self)
            let segments = text.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "-" || $0 == "_" }.map(String.init)
            guard segments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLetter) } }) else { return nil }
            local = segments
            s = []
        }
        guard s.isEmpty else { return nil }
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    private init(epoch: Int, release: [Int], pre: (Int, Int)?, post: Int?, dev: Int?, local: [String]?) {
        (self.epoch, self.release, self.pre, self.post, self.dev, self.local) = (epoch, release, pre, post, dev, local)
    }

    var isPrerelease: Bool { pre != nil || dev != nil }
    var isPostrelease: Bool { post != nil }
    /// Without the local part.
    var publicVersion: PEP440Version { PEP440Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: nil) }
    /// Epoch and release only.
    var baseVersion: PEP440Version { PEP440Version(epoch: epoch, release: release, pre: nil, post: nil, dev: nil, local: nil) }

    /// The normalized form (`str(packaging.version.Version(...))`).
    var normalized: String {
        var text = epoch != 0 ? "\(epoch)!" : ""
        text += release.map(String.init).joined(separator: ".")
        if let pre { text += ["a", "b", "rc"][pre.0] + String(pre.1) }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if let local { text += "+" + local.joined(separator: ".") }
        return text
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
        if lhs.suffixKey != rhs.suffixKey { return lhs.suffixKey.lexicographicallyPrecedes(rhs.suffixKey) }
        // No local part sorts first; then segment by segment, numbers above letters.
        switch (lhs.local, rhs.local) {
        case (nil, nil), (_, nil): return false
        case (nil, _): return true
        case let (l?, r?):
            for (a, b) in zip(l, r) where a != b {
                switch (Int(a), Int(b)) {
                case let (x?, y?): return x < y
                case (nil, .some): return true
                case (.some, nil): return false
                case (nil, nil): return a < b
                }
            }
            return l.count < r.count
        }
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
