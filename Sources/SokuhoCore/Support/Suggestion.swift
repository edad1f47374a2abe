/// Suggests the closest known name for a misspelt one ("locaton" → "location").
public enum Suggestion {
    /// The candidate with the smallest edit distance, if it is close enough to be a likely typo.
    /// Bounded work whatever the input: a word longer than any candidate by more than 3 (a
    /// 100 KB "op" from a hostile client, say) is no typo and is not compared at all.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let longest = candidates.map(\.count).max() ?? 0
        guard word.utf8.count <= 4 * (longest + 3), word.count <= longest + 3 else { return nil }
        let w = Array(word.lowercased())
        var best: (String, Int)?
        for c in candidates where abs(c.count - w.count) <= 3 {
            let d = distance(w, Array(c.lowercased()))
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let limit = max(1, min(3, candidate.count / 3))
        return d <= limit ? candidate : nil
    }

    /// Damerau–Levenshtein (optimal string alignment) distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
