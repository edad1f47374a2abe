/// Every value a case's count has had (Art. 18 "how many items", revised as it becomes known):
/// the reported one, then each `case.updated` that changed the count, its unit or its
/// precision, with when and by whom — read from the case's events, so it is the audit chain's.
public enum CountHistory {
    public static func entries(_ events: [StoredEvent]) -> [JSONValue] {
        var out: [JSONValue] = []
        var current: [String: JSONValue] = ["count": .null, "count_precision": .null, "count_unit": .null]
        for e in events {
            let changed: [String: JSONValue]
            let source: String
            if e.type == EventType.caseOpened.rawValue, let r = e.data["report"] {
                changed = [
                    "count": r["count"] ?? .null, "count_precision": r["count_precision"] ?? .null, "count_unit": r["count_unit"] ?? .null,
                ]
                let fromLedger = (e.data["from_ledger"]?.arrayValue ?? []).contains("count")
                source = fromLedger ? "ledger" : "report"
            } else if e.type == EventType.caseUpdated.rawValue, let c = e.data["changes"]?.objectValue {
                let keys = ["count", "count_precision", "count_unit"].filter { c[$0] != nil }
                if keys.isEmpty { continue }
                changed = Dictionary(uniqueKeysWithValues: keys.map { ($0, c[$0]?["to"] ?? .null) })
                source = "update"
            } else {
                continue
            }
            for (k, v) in changed { current[k] = v }
            out.append([
                "count": current["count"] ?? .null, "count_precision": current["count_precision"] ?? .null,
                "count_unit": .string((current["count_unit"]?.stringValue).flatMap(CountUnit.init)?.text ?? CountUnit.items.text),
                "at": .string(e.at), "source": .string(source),
                "by": ["uid": e.actor["uid"] ?? .null, "user": e.actor["user"] ?? .null, "role": e.actor["role"] ?? .null],
                "seq": .int(e.seq),
            ])
        }
        return out
    }
}
