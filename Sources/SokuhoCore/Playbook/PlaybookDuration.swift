/// Durations in playbooks: a number with a unit, `90s`, `15m`, `4h`, `3d`, `2w`.
public enum PlaybookDuration {
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingWhitespace()
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800)]
        for (u, f) in units where t.hasSuffix(u) {
            if let n = Double(t.dropLast(u.count).trimmingCharacters(in: " ")), n > 0, n * f <= 366 * 86400 { return n * f }
        }
        return nil
    }

    /// `15m`, `4h`, `3d`: the largest whole unit.
    public static func format(_ seconds: Double) -> String {
        let s = Int(seconds)
        for (u, f) in [("w", 604_800), ("d", 86400), ("h", 3600), ("m", 60)] where s >= f && s % f == 0 { return "\(s / f)\(u)" }
        return "\(s)s"
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
