/// What kind of confidential information a ledger entry holds (Art. 10(3)).
public enum LedgerCategory: String, Sendable, CaseIterable {
    /// 個人情報
    case personal
    /// 特定個人情報 (My Number): counts toward the national-report assessment.
    case specific_personal
    /// 秘密情報
    case confidential

    public var japanese: String {
        switch self {
        case .personal: "個人情報"
        case .specific_personal: "特定個人情報"
        case .confidential: "秘密情報"
        }
    }

    public var english: String {
        switch self {
        case .personal: "personal information"
        case .specific_personal: "specific personal information (My Number)"
        case .confidential: "confidential information"
        }
    }
}

/// The media the information is held on.
public enum LedgerMedia: String, Sendable, CaseIterable {
    case paper
    case electronic
    case both

    public var japanese: String {
        switch self {
        case .paper: "紙"
        case .electronic: "電子"
        case .both: "紙・電子"
        }
    }

    public var english: String {
        switch self {
        case .paper: "paper"
        case .electronic: "electronic"
        case .both: "paper and electronic"
        }
    }

    /// Whether any of it is electronic (take-out must then be encrypted, Art. 12).
    public var isElectronic: Bool { self != .paper }
}

/// Where a ledger entry is in its life. Transitions happen only through ledger events
/// (`LedgerEntry+Events.swift`).
public enum LedgerState: String, Sendable, CaseIterable {
    /// Kept at the storage location.
    case held
    /// Taken out with the city's approval (Art. 12); back to `held` when returned.
    case taken_out
    /// Handed back to the city.
    case returned
    /// Disposed of with the city's approval (Art. 15). Final.
    case disposed

    public var japanese: String {
        switch self {
        case .held: "保管中"
        case .taken_out: "持出し中"
        case .returned: "返却済み"
        case .disposed: "廃棄済み"
        }
    }

    public var english: String {
        switch self {
        case .held: "held"
        case .taken_out: "taken out"
        case .returned: "returned"
        case .disposed: "disposed"
        }
    }
}
