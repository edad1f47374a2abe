import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// Dropping files into the daemon's spool as writers do: write in tmp/, rename into incoming/.
extension DaemonHarness {
    var spoolDir: String { dir + "/spool" }

    /// Writes `bytes` as `tmp/NAME` and renames it into `incoming/` (creating the directories
    /// when the daemon has not run yet). `owner` chowns the file first (needs root).
    func drop(_ name: String, _ bytes: [UInt8], owner: UInt32? = nil, mode: mode_t = 0o640) throws {
        for sub in ["tmp", "incoming"] {
            try FileManager.default.createDirectory(atPath: spoolDir + "/" + sub, withIntermediateDirectories: true)
        }
        let tmp = spoolDir + "/tmp/" + name
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) else { throw HarnessError("cannot write \(tmp)") }
        chmod(tmp, mode)
        if let owner { chown(tmp, owner, owner) }
        guard rename(tmp, spoolDir + "/incoming/" + name) == 0 else { throw HarnessError("rename: \(String(cString: strerror(errno)))") }
    }

    func drop(_ name: String, _ text: String, owner: UInt32? = nil) throws { try drop(name, Array(text.utf8), owner: owner) }

    func files(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spoolDir + "/" + sub)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Files in rejected/ without their reason files.
    var rejectedFiles: [String] { files("rejected").filter { !$0.hasSuffix(".error.json") } }

    func reason(_ rejectedName: String) throws -> JSONValue {
        let data = try Data(contentsOf: URL(fileURLWithPath: spoolDir + "/rejected/" + rejectedName + ".error.json"))
        return try JSONParser.parse(Array(data))
    }

    /// `poll` with the spool tests' default timeout.
    @discardableResult
    func wait(timeout: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        try poll(timeout: timeout, condition)
    }

    /// The case opened from the spool file `name` (as listed by the daemon).
    func caseFromFile(_ name: String) throws -> JSONValue? {
        guard let accepted = files("accepted").first(where: { $0.hasSuffix("--" + name) }) else { return nil }
        let id = String(accepted[..<accepted.range(of: "--")!.lowerBound])
        return try call(["op": "case.get", "id": .string(id)])["case"]
    }
}
