import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The configuration file.", valueName: "FILE")) var config = CityConfiguration.defaultPath

    func load() throws -> CityConfiguration {
        // Files the commands and the daemon create (the database, its journal) are never
        // readable by others, whatever umask they were started with.
        umask(0o027)
        do { return try CityConfiguration.load(file: config) } catch {
            fail("\(error)", code: 78)
        }
    }

    func store() throws -> (CityConfiguration, CityStore) {
        let c = try load()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: c.stateDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            fail(
                "state_dir \(c.stateDir) does not exist: create it (install -d -o sokuho-city -g sokuho-city -m 0750 \(c.stateDir))",
                code: 74)
        }
        actAsStateOwner(c)
        do { return (c, try CityStore(path: c.databasePath)) } catch { fail("\(error)", code: 74) }
    }
}

extension CityOptions {
    /// The store, for a command about `contractor`: ends the command with status 2 unless it
    /// is a configured contractor.
    func store(requiring contractor: String) throws -> CityStore {
        let (config, store) = try store()
        requireContractor(contractor, in: config)
        return store
    }

    /// The configuration, for a command that changes or reads the users file: acting as the
    /// owner of `state_dir` when the file is in it.
    func loadForUsersFile() throws -> CityConfiguration {
        let config = try load()
        if config.usersFile.hasPrefix(config.stateDir + "/") { actAsStateOwner(config) }
        return config
    }

    /// Ends the command with status 2 unless `name` is a configured contractor.
    func requireContractor(_ name: String, in c: CityConfiguration) {
        guard c.contractors.contains(where: { $0.name == name }) else {
            fail("no contractor \(name) is configured (contractors: in \(config))", code: 2)
        }
    }

    /// Who issues an instruction or a decision from the command line: the user who ran `sudo`,
    /// else the login name of the process's user, else `uid N`.
    static func issuer() -> String {
        let env = ProcessInfo.processInfo.environment
        if getuid() == 0, let s = env["SUDO_USER"], !s.isEmpty { return s }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return env["USER"] ?? "uid \(getuid())"
    }

    /// Run as root, every command acts as the owner of `state_dir` (the daemon's user,
    /// `sokuho-city`, in the package) once the configuration is read: the files it creates (the
    /// database's journal, the users file) stay the daemon's, and a forgotten `sudo -u
    /// sokuho-city` cannot leave a root-owned file the daemon can no longer write.
    func actAsStateOwner(_ c: CityConfiguration) {
        guard geteuid() == 0 else { return }
        var st = stat()
        guard stat(c.stateDir, &st) == 0, st.st_uid != 0 else { return }
        guard setgroups(0, nil) == 0, setgid(st.st_gid) == 0, setuid(st.st_uid) == 0 else {
            fail("cannot act as the owner of \(c.stateDir) (uid \(st.st_uid)): \(String(cString: strerror(errno)))", code: 74)
        }
    }
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data(("sokuho-city: " + TerminalSafe.escape(message) + "\n").utf8))
    Foundation.exit(code)
}

/// JSON on standard output: DEL, C1 and bidi controls inside strings as `\uXXXX` escapes (the
/// encoder escapes C0 already), so the text stays valid JSON of the same value and is safe on a
/// terminal (as `sokuho`'s `terminalSafeJSON`).
func printJSON(_ v: JSONValue) {
    var out = String.UnicodeScalarView()
    for u in v.canonicalString.unicodeScalars {
        if TerminalSafe.isControlOrFormat(u) && u != "\n" {
            let hex = String(u.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        } else {
            out.append(u)
        }
    }
    print(String(out))
}

/// Runs a store call; a failure ends the command with its exit status.
func orFail<T>(_ body: () async throws(CityError) -> T) async -> T {
    do { return try await body() } catch {
        switch error {
        case .notFound(let m): fail(m, code: 2)
        case .invalid(let m): fail(m, code: 64)
        case .storage(let m): fail(m, code: 74)
        }
    }
}
