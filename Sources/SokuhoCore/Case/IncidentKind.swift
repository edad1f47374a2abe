/// The kind of an information security incident, as Article 18 lists them.
public enum IncidentKind: String, Sendable, CaseIterable, Codable {
    /// 紛失
    case loss
    /// 漏えい
    case leak
    /// 改ざん
    case tampering
    /// 破損
    case damage
    /// その他
    case other

    /// The Japanese term used in the provisions.
    public var japanese: String {
        switch self {
        case .loss: "紛失"
        case .leak: "漏えい"
        case .tampering: "改ざん"
        case .damage: "破損"
        case .other: "その他"
        }
    }
}

/// How precise a count is.
public enum CountPrecision: String, Sendable, CaseIterable, Codable {
    case exact
    case approximate
    case at_least

    public var japanese: String {
        switch self {
        case .exact: "確定"
        case .approximate: "概数"
        case .at_least: "以上"
        }
    }
}
