import Crypto

/// Verifying the chain straight from the stored bytes, without parsing each event.
///
/// The store keeps `actor` and `data` as their canonical JSON text, so an event's canonical
/// bytes can be assembled by concatenation, in the key order of the canonical form
/// (`actor`, `at`, `case_id`, `data`, `prev_hash`, `seq`, `type`). Any change to the stored bytes —
/// even one that leaves the JSON meaning the same — changes the hash, so this check is exactly
/// as strict as re-serialising, and many times faster.
extension AuditChain {
    /// One stored event as raw column bytes.
    public struct RawEvent {
        public var seq: Int64
        public var at: UnsafeBufferPointer<UInt8>
        public var caseID: UnsafeBufferPointer<UInt8>?
        public var type: UnsafeBufferPointer<UInt8>
        public var actor: UnsafeBufferPointer<UInt8>
        public var data: UnsafeBufferPointer<UInt8>
        public var prevHash: UnsafeBufferPointer<UInt8>
        public var hash: UnsafeBufferPointer<UInt8>

        public init(
            seq: Int64, at: UnsafeBufferPointer<UInt8>, caseID: UnsafeBufferPointer<UInt8>?, type: UnsafeBufferPointer<UInt8>,
            actor: UnsafeBufferPointer<UInt8>, data: UnsafeBufferPointer<UInt8>, prevHash: UnsafeBufferPointer<UInt8>,
            hash: UnsafeBufferPointer<UInt8>
        ) {
            (self.seq, self.at, self.caseID, self.type) = (seq, at, caseID, type)
            (self.actor, self.data, self.prevHash, self.hash) = (actor, data, prevHash, hash)
        }
    }

    /// The canonical bytes of a raw event, written into `out` (cleared first).
    public static func canonicalBytes(of e: RawEvent, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        func lit(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func str(_ b: UnsafeBufferPointer<UInt8>) {
            // Stored strings of these columns (times, ids, types, hex) need no escaping unless a
            // byte calls for it; fall back to the full escaper then.
            if b.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
                out.append(0x22)
                out.append(contentsOf: b)
                out.append(0x22)
            } else {
                JSONValue.writeString(String(decoding: b, as: UTF8.self), into: &out)
            }
        }
        lit("{\"actor\":")
        out.append(contentsOf: e.actor)
        lit(",\"at\":")
        str(e.at)
        lit(",\"case_id\":")
        if let c = e.caseID { str(c) } else { lit("null") }
        lit(",\"data\":")
        out.append(contentsOf: e.data)
        lit(",\"prev_hash\":")
        str(e.prevHash)
        lit(",\"seq\":")
        out.append(contentsOf: String(e.seq).utf8)
        lit(",\"type\":")
        str(e.type)
        out.append(0x7D)
    }

    /// Whether `hex` (64 lower-case hex digits) spells `digest`.
    static func matches<D: Sequence>(_ digest: D, hex: UnsafeBufferPointer<UInt8>) -> Bool where D.Element == UInt8 {
        hex.count == 64 && Hex.matches(digest, lowercaseHex: hex)
    }
}

extension AuditChain.Verifier {
    /// Feeds the next event as raw stored bytes; same checks and messages as `feed(_:)`.
    /// `buffer` is scratch space reused between calls.
    @discardableResult
    public mutating func feed(raw e: AuditChain.RawEvent, buffer: inout [UInt8]) -> Bool {
        guard problem == nil else { return false }
        let expectedSeq = (last?.seq ?? 0) + 1
        let type = String(decoding: e.type, as: UTF8.self)
        if e.seq != expectedSeq {
            let range = e.seq - expectedSeq == 1 ? "#\(expectedSeq)" : "#\(expectedSeq)–#\(e.seq - 1)"
            fail(
                .missing, expectedSeq,
                "event \(range) is missing: event #\(e.seq) follows event #\(expectedSeq - 1) (deleted or renumbered)")
            return false
        }
        AuditChain.canonicalBytes(of: e, into: &buffer)
        let digest = SHA256.hash(data: buffer)
        if !AuditChain.matches(digest, hex: e.hash) {
            let caseID = e.caseID.map { ", " + String(decoding: $0, as: UTF8.self) } ?? ""
            fail(.edited, e.seq, "event #\(e.seq) (\(type)\(caseID)) was altered: its content does not match its recorded hash")
            return false
        }
        let expectedPrev = last?.hash ?? AuditChain.genesisHash
        if !e.prevHash.elementsEqual(expectedPrev.utf8) {
            fail(
                .brokenLink, e.seq,
                "event #\(e.seq) (\(type)) does not link to event #\(expectedSeq - 1): an event was inserted, rewritten or reordered at #\(e.seq - 1)/#\(e.seq)"
            )
            return false
        }
        accept(seq: e.seq, hash: String(decoding: e.hash, as: UTF8.self))
        return true
    }
}
