import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What lies in the spool: files being written (`tmp/`), waiting (`incoming/`), set aside
/// (`rejected/`, with their reasons) and taken (`accepted/`). Used by the `spool.list` operation
/// and by `sokuho spool list` when the daemon is not running.
public enum SpoolListing {
    public enum State: String, Sendable, CaseIterable {
        /// In `tmp/`: still being written, or never renamed into `incoming/`.
        case writing
        /// In `incoming/`: not yet taken (the daemon is down, or it is being written there).
        case waiting
        case rejected
        case accepted
    }

    public struct Item: Sendable {
        public var state: State
        public var file: String
        /// Relative to the spool root, e.g. `rejected/report.json`.
        public var path: String
        public var size: Int
        public var modified: Date
        public var ownerUID: UInt32
        /// For accepted files: the case.
        public var caseID: String?
        /// For rejected files: the content of the reason file.
        public var reason: JSONValue?

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "state": .string(state.rawValue), "file": .string(file), "path": .string(path), "size": .int(Int64(size)),
                "modified_at": .string(Timestamp.format(modified)), "owner_uid": .int(Int64(ownerUID)),
            ]
            if let caseID { o["case_id"] = .string(caseID) }
            if let reason { o["reason"] = reason }
            return .object(o)
        }
    }

    /// Lists the entries in the given states, newest first, at most `limit`; only those owned by
    /// `ownerUID` when given. An accepted file is the daemon's own copy: its owner is the
    /// reporter who dropped it, from `acceptedOwners` (case id → uid, from the spool journal).
    public static func list(
        _ layout: SpoolLayout, states: Set<State>, ownerUID: UInt32? = nil, limit: Int = 200,
        acceptedOwners: [String: UInt32] = [:]
    ) throws(SpoolError) -> [Item] {
        var items: [Item] = []
        var rootStat = stat()
        guard stat(layout.root, &rootStat) == 0 else {
            throw SpoolError.cannotRead(path: layout.root, reason: String(cString: strerror(errno)))
        }
        let dirs: [(State, String)] = [
            (.writing, layout.tmp), (.waiting, layout.incoming), (.rejected, layout.rejected), (.accepted, layout.accepted),
        ]
        for (state, dir) in dirs where states.contains(state) {
            var dirStat = stat()
            if stat(dir, &dirStat) != 0, errno == ENOENT { continue }  // not created yet
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
                let reason = (error as NSError).code == NSFileReadNoPermissionError ? "permission denied" : "\(error.localizedDescription)"
                throw SpoolError.cannotRead(path: dir, reason: reason)
            }
            for name in names {
                if state == .rejected && (name.hasSuffix(SpoolLayout.errorSuffix) || name.hasPrefix(".")) { continue }
                if state == .accepted && name.hasPrefix(".") { continue }
                var st = stat()
                guard lstat(dir + "/" + name, &st) == 0 else { continue }
                var item = Item(
                    state: state, file: name, path: SpoolFiles.lastComponent(dir) + "/" + name, size: Int(st.st_size),
                    modified: Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9),
                    ownerUID: UInt32(st.st_uid))
                if state == .accepted, let r = name.range(of: "--") {
                    item.caseID = String(name[..<r.lowerBound])
                    item.file = String(name[r.upperBound...])
                    if let caseID = item.caseID, let owner = acceptedOwners[caseID] { item.ownerUID = owner }
                }
                if let ownerUID, item.ownerUID != ownerUID { continue }
                items.append(item)
            }
        }
        items.sort { $0.modified > $1.modified }
        // Only the files listed have their reasons read: the cost is `limit`, not the directory.
        var listed = Array(items.prefix(limit))
        for i in listed.indices where listed[i].state == .rejected {
            let errorPath = layout.rejected + "/" + listed[i].file + SpoolLayout.errorSuffix
            guard let data = FileManager.default.contents(atPath: errorPath) else { continue }
            listed[i].reason = try? JSONParser.parse(Array(data))
            if let original = listed[i].reason?["file"]?.stringValue { listed[i].file = original }
        }
        return listed
    }
}
