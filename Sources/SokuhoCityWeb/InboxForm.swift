import Foundation

/// A submitted form (`application/x-www-form-urlencoded`): `+` as space, percent-decoding,
/// the first value of each name kept. Undecodable pairs are skipped.
struct InboxForm: Sendable {
    var values: [String: String] = [:]

    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil, let value { values[name] = value }
        }
    }

    static func decode(_ s: Substring) -> String? { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }

    subscript(_ name: String) -> String? { values[name] }

    /// The value trimmed, nil when empty.
    func text(_ name: String) -> String? {
        guard let v = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }
}
