import Foundation
import SokuhoCore
import Testing

@testable import SokuhoSpool

#if canImport(Glibc)
import Glibc
#endif

@Suite("Spool files on disk: safe reads, moves that never overwrite, the writer")
struct SpoolFilesTests {
    let layout: SpoolLayout

    init() throws {
        layout = SpoolLayout(root: NSTemporaryDirectory() + "sokuho-spool-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        try layout.prepare()
    }

    func put(_ name: String, _ bytes: [UInt8]) {
        FileManager.default.createFile(atPath: layout.incoming + "/" + name, contents: Data(bytes))
    }

    @Test("prepare creates the four directories with drop-box modes")
    func prepare() throws {
        for (dir, mode) in [(layout.tmp, 0o3730), (layout.incoming, 0o3730), (layout.accepted, 0o750), (layout.rejected, 0o750)] {
            var st = stat()
            #expect(lstat(dir, &st) == 0)
            #expect(Int(st.st_mode & 0o7777) == mode, "\(dir)")
        }
        try layout.prepare()  // idempotent
    }

    @Test("a regular file is read whole with its SHA-256 and owner")
    func regular() throws {
        put("a.json", Array("{}".utf8))
        guard case .file(let bytes, let sha, let owner) = SpoolReader.read(path: layout.incoming + "/a.json", maxSize: 100) else {
            Issue.record("not read"); return
        }
        #expect(bytes == Array("{}".utf8))
        #expect(sha == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(owner.uid == getuid())
    }

    @Test("links, FIFOs and directories are set aside unread; big files unread")
    func unsafe() throws {
        symlink("/etc/passwd", layout.incoming + "/l.json")
        mkfifo(layout.incoming + "/f.json", 0o600)
        mkdir(layout.incoming + "/d.json", 0o700)
        put("big.json", [UInt8](repeating: 0x20, count: 101))
        for (name, code) in [
            ("l.json", ErrorCode.unsafeFile), ("f.json", .unsafeFile), ("d.json", .unsafeFile), ("big.json", .fileTooLarge),
        ] {
            guard case .unread(let key, _, _, let reason) = SpoolReader.read(path: layout.incoming + "/" + name, maxSize: 100) else {
                Issue.record("\(name) was read"); continue
            }
            #expect(reason.code == code, "\(name)")
            #expect(key.hasPrefix("unread:"))
        }
        #expect(SpoolReader.read(path: layout.incoming + "/none.json", maxSize: 100).isVanished)
    }

    @Test("a scan leaves a file that is still changing for later")
    func settling() {
        put("new.json", Array("{}".utf8))
        let entry = SpoolReader.read(path: layout.incoming + "/new.json", maxSize: 100, settledBefore: Date().timeIntervalSince1970 - 5)
        guard case .settling = entry else { Issue.record("\(entry)"); return }
    }

    @Test("moves never overwrite: a taken name gets a counter before its extension")
    func freeNames() throws {
        put("a.json", [1])
        put("b.json", [2])
        put("c", [3])
        put("d", [4])
        let first = try SpoolFiles.move(
            Array((layout.incoming + "/a.json").utf8), toDirectory: layout.rejected, as: "x.json", claims: SpoolNameClaims())
        let second = try SpoolFiles.move(
            Array((layout.incoming + "/b.json").utf8), toDirectory: layout.rejected, as: "x.json", claims: SpoolNameClaims())
        let third = try SpoolFiles.move(
            Array((layout.incoming + "/c").utf8), toDirectory: layout.rejected, as: "y", claims: SpoolNameClaims())
        let fourth = try SpoolFiles.move(
            Array((layout.incoming + "/d").utf8), toDirectory: layout.rejected, as: "y", claims: SpoolNameClaims())
        #expect([first, second, third, fourth] == ["rejected/x.json", "rejected/x-2.json", "rejected/y", "rejected/y-2"])
        #expect(FileManager.default.contents(atPath: layout.rejected + "/x.json") == Data([1]))
        #expect(FileManager.default.contents(atPath: layout.rejected + "/x-2.json") == Data([2]))
    }

    @Test("a dropped file named like a reason does not take the place of a later file's reason")
    func reasonNamesAreFree() throws {
        put("y.error.json", [1])
        put("y", [2])
        let first = try SpoolFiles.reject(
            Array((layout.incoming + "/y.error.json").utf8), name: "y.error.json", into: layout.rejected, reason: ["code": "invalid_json"],
            claims: SpoolNameClaims())
        let moved = try SpoolFiles.reject(
            Array((layout.incoming + "/y").utf8), name: "y", into: layout.rejected, reason: ["code": "x"], claims: SpoolNameClaims())
        #expect(first == "rejected/y.error-2.json", "kept under a name that is not a reason's")
        #expect(moved == "rejected/y")
        #expect(
            FileManager.default.contents(atPath: layout.rejected + "/y.error-2.json") == Data([1]), "the first file's kept copy is intact")
    }

    @Test("a rejection writes the reason file beside the moved file")
    func reject() throws {
        put("bad.json", [0x7B])
        let moved = try SpoolFiles.reject(
            Array((layout.incoming + "/bad.json").utf8), name: "bad.json", into: layout.rejected,
            reason: ["code": "invalid_json", "message": "…"], claims: SpoolNameClaims())
        #expect(moved == "rejected/bad.json")
        let reason = try JSONParser.parse(
            Array(try #require(FileManager.default.contents(atPath: layout.rejected + "/bad.json.error.json"))))
        #expect(reason["code"]?.stringValue == "invalid_json")
        #expect(reason["moved_to"]?.stringValue == "rejected/bad.json")
        #expect(!FileManager.default.fileExists(atPath: layout.incoming + "/bad.json"))
    }

    @Test("the writer goes through tmp/ and leaves a readable report in incoming/")
    func writer() throws {
        let name = try SpoolWriter.drop(["kind": "leak", "information": "名簿"], into: layout, user: "alice")
        #expect(name.hasSuffix(".json") && name.contains("-alice-"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.tmp).isEmpty)
        let data = try #require(FileManager.default.contents(atPath: layout.incoming + "/" + name))
        let content = try SpoolDecoder.decode(Array(data), name: name).get()
        #expect(content.fields["information"]?.stringValue == "名簿")
        var st = stat()
        lstat(layout.incoming + "/" + name, &st)
        #expect(st.st_mode & 0o777 == 0o640)
        let listed = try SpoolListing.list(layout, states: [.waiting])
        #expect(listed.map(\.file) == [name])
    }
}

extension SpoolEntry {
    var isVanished: Bool { if case .vanished = self { true } else { false } }
}
