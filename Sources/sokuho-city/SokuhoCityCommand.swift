import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

/// sokuho-city: the city's daemon and its staff's commands (docs/city.md).
@main
struct SokuhoCityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sokuho-city",
        abstract:
            "The city's side of Sokuho: every contractor's escalations, instructions and publication decisions back, the audit anchor.",
        discussion: """
            serve runs the daemon: one HTTP listener for the contractors' signed webhooks (a POST \
            with webhook-* headers, on any path) and the staff's web inbox (/, /login, \
            /case/…). Each message is attributed to the contractor \
            whose secret verifies it and answered 200 only once it is stored; the answer carries \
            that contractor's pending instructions and publication decisions. user add NAME adds \
            a login to the inbox. The other commands read and write the same database \
            (<state_dir>/sokuho-city.db of --config, default /etc/sokuho-city/sokuho-city.yaml).

            EXIT STATUS
              0   success
              1   audit: the database disagrees with a chain head received
              2   no such case, or no such contractor configured
              64  usage error
              74  the database, a file or the listening address cannot be used
              78  the configuration (or a secret or users file) is invalid or unreadable
            """,
        version: SokuhoVersion.current,
        subcommands: [
            CityServe.self, CityUser.self, CityList.self, CityShow.self, CityInstruct.self, CityPublish.self, CityAudit.self,
        ])
}

/// `--config FILE`, shared by every command.
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

struct CityServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the daemon: the contractors' webhooks and the inbox on one listener (SIGTERM stops it).",
        discussion: """
            The contractors and their secrets are read when serve starts: restart it after a \
            change. The users file is read again at the next login after it changed. Two \
            contractors with the same secret are refused (exit status 78).
            """)
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (config, store) = try options.store()
        var contractors: [CityIntake.Contractor] = []
        for c in config.contractors {
            var secrets: [WebhookSignature.Secret] = []
            for f in c.secretFiles {
                do { secrets += try Endpoint.loadSecrets(file: f) } catch { fail("contractor \(c.name): \(error)", code: 78) }
            }
            if let other = contractors.first(where: { o in o.secrets.contains(where: secrets.contains) }) {
                fail(
                    "contractors \(other.name) and \(c.name) share a secret: a message signed with it could not be told apart; give each contractor its own",
                    code: 78)
            }
            contractors.append(CityIntake.Contractor(name: c.name, secrets: secrets))
        }
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data((TerminalSafe.escape($0) + "\n").utf8)) }
        let users: InboxUserFile
        do { users = try InboxUserFile(path: config.usersFile, log: log) } catch { fail("\(error)", code: 78) }
        if users.current().hashes.isEmpty {
            log("sokuho-city: warning: no users in \(config.usersFile): nobody can log in to the inbox (sokuho-city user add NAME)")
        }
        let intake = CityIntake(contractors: contractors, store: store, log: log)
        let web = CityWeb(intake: intake, users: users, secureCookies: config.secureCookies, log: log)
        let host = config.host
        let count = contractors.count
        let app = web.application(host: host, port: config.port) { port in
            log("sokuho-city: listening on \(host):\(port); \(count) contractor\(count == 1 ? "" : "s"); database \(store.path)")
        }
        do { try await app.runService() } catch {
            let text = "\(error)"
            if text.contains("Address already in use") {
                fail(
                    "cannot listen on \(host):\(config.port): the address is in use; change listen in \(options.config), or stop the other program",
                    code: 74)
            }
            fail("cannot serve on \(host):\(config.port): \(text)", code: 74)
        }
        log("sokuho-city: stopped")
    }
}

struct CityUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the inbox's users (the users file, <state_dir>/users by default).",
        subcommands: [CityUserAdd.self, CityUserRemove.self, CityUserList.self])
}

struct CityUserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a user, or set a user's password (read from standard input; twice on a terminal).",
        discussion: """
            The password is stored as a bcrypt hash (cost 12) in the users file, written with mode \
            0600 (a file that exists keeps its owner, group and mode). It must hold 12 to 72 bytes. A \
            running sokuho-city reads the file again at the next login after it changed.
            """)
    @Argument(help: "The user's name (letters, digits, . - _ @).") var name: String
    @OptionGroup var options: CityOptions

    func run() async throws {
        let config = try options.load()
        if config.usersFile.hasPrefix(config.stateDir + "/") { options.actAsStateOwner(config) }
        guard InboxUsers.validName(name) else { fail("a user name is 1 to 64 letters, digits, . - _ or @", code: 64) }
        let password: String
        if isatty(0) == 1 {
            let first = readSecret(prompt: "Password for \(name): ")
            let second = readSecret(prompt: "Again: ")
            guard first == second else { fail("the two passwords differ; nothing changed", code: 64) }
            password = first
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        guard (12...72).contains(password.utf8.count) else { fail("the password must hold 12 to 72 bytes; nothing changed", code: 64) }
        do { try InboxUsers.add(name: name, password: password, file: config.usersFile) } catch { fail("\(error)", code: 74) }
        print(
            "User \(name) can log in to the inbox (\(TerminalSafe.escape(config.usersFile))); a running sokuho-city reads the file at the next login."
        )
    }

    /// A line from the terminal with echo off.
    func readSecret(prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var old = termios()
        tcgetattr(0, &old)
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(0, TCSAFLUSH, &old)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

struct CityUserRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a user: no more logins, and the user's open sessions end at their next request.")
    @Argument(help: "The user's name.") var name: String
    @OptionGroup var options: CityOptions

    func run() async throws {
        let config = try options.load()
        if config.usersFile.hasPrefix(config.stateDir + "/") { options.actAsStateOwner(config) }
        let removed: Bool
        do { removed = try InboxUsers.remove(name: name, file: config.usersFile) } catch { fail("\(error)", code: 74) }
        guard removed else { fail("no user \(name) in \(config.usersFile)", code: 2) }
        print(
            "User \(TerminalSafe.escape(name)) removed from \(TerminalSafe.escape(config.usersFile)); their sessions end at their next request."
        )
    }
}

struct CityUserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The users who may log in to the inbox.")
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let config = try options.load()
        if config.usersFile.hasPrefix(config.stateDir + "/") { options.actAsStateOwner(config) }
        let users: InboxUsers
        do { users = try InboxUsers.load(file: config.usersFile) } catch { fail("\(error)", code: 78) }
        let names = users.hashes.keys.sorted()
        if json { printJSON(["users": .array(names.map { .string($0) }), "count": .int(Int64(names.count))]); return }
        if names.isEmpty { print("No users: nobody can log in (sokuho-city user add NAME)."); return }
        for n in names { print(n) }
    }
}

struct CityList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every case of every contractor, newest first, with the first report's delay.")
    @Option(help: "Only this contractor.") var contractor: String?
    @Option(help: "Only this state (open, contained, resolved, closed).") var state: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (_, store) = try options.store()
        if let state, CaseState(rawValue: state) == nil {
            fail("--state must be one of \(CaseState.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(state)\"", code: 64)
        }
        let rows = await orFail { () async throws(CityError) in try await store.cases(contractor: contractor, state: state) }
        if json { printJSON(["cases": .array(rows.map(\.json)), "count": .int(Int64(rows.count))]); return }
        if rows.isEmpty { print("No cases."); return }
        let style = DocumentStyle(japanese: ProcessInfo.processInfo.environment["LANG"]?.hasPrefix("ja") == true)
        for r in rows {
            let f = r.facts
            let delay = r.firstReportDelayMinutes.map { "\($0) min" } ?? "-"
            let open = f["instructions_open"]?.intValue ?? 0
            print(
                TerminalSafe.escape(
                    "\(r.contractor)  \(r.caseID)  \(f["state"]?.stringValue ?? "?")  \(f["kind"]?.stringValue ?? "?")\(f["suspected"]?.boolValue == true ? " (suspected)" : "")  \(style.caseCount(f))  first report +\(delay)  open instructions \(open)  \(String((f["information"]?.stringValue ?? "").prefix(40)))"
                ))
        }
    }
}

struct CityShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One case: the facts as last reported, every message, the instructions and decisions.")
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        // A contractor no longer configured keeps its record: show and list still read it.
        let (_, store) = try options.store()
        let d = await orFail { () async throws(CityError) in try await store.caseDetail(contractor: contractor, caseID: caseID) }
        if json { printJSON(d); return }
        print(d.prettyString.split(separator: "\n").map { TerminalSafe.escape(String($0)) }.joined(separator: "\n"))
    }
}

struct CityInstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruct", abstract: "Issue an instruction to a contractor for one of its cases (Art. 18).",
        discussion:
            "It reaches the contractor in the answer to its next message or poll (city.poll_every on its side), and blocks the case's closure there until done."
    )
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Option(help: "What the contractor must do (1 to 10,000 characters).") var text: String
    @Option(help: "Who at the city gives it.") var from: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (config, store) = try options.store()
        options.requireContractor(contractor, in: config)
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 10_000 else { fail("--text must hold 1 to 10,000 characters", code: 64) }
        let by = CityOptions.issuer()
        let id = await orFail { () async throws(CityError) in
            try await store.instruct(
                contractor: contractor, caseID: caseID, text: trimmed, from: from, by: by, at: Timestamp.format(Date()))
        }
        if json { printJSON(["ok": true, "id": .string(id)]); return }
        print(
            "Instruction \(id) for \(TerminalSafe.escape(contractor)) \(TerminalSafe.escape(caseID)) is waiting for the contractor's next message or poll."
        )
    }
}

struct CityPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Record the city's publication decision for a case (Art. 18 §2).")
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Option(help: "not_planned, planned (with --date) or published (with --date and --url).") var decision: String
    @Option(help: "The (planned) date of publication, such as 2026-12-01.") var date: String?
    @Option(help: "Where it is published (an http(s) address).") var url: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (config, store) = try options.store()
        options.requireContractor(contractor, in: config)
        var o: [String: JSONValue] = ["decision": .string(decision)]
        if let date { o["date"] = .string(date) }
        if let url { o["url"] = .string(url) }
        if let note { o["note"] = .string(note) }
        let d: PublicationDecision
        do { d = try Publication.request(o) } catch { fail(error.message, code: 64) }
        let by = CityOptions.issuer()
        let published = await orFail { () async throws(CityError) in
            try await store.publish(contractor: contractor, caseID: caseID, decision: d, by: by, at: Timestamp.format(Date()))
        }
        let (id, pending) = (published.id, published.replaces)
        if json { printJSON(["ok": true, "id": .string(id), "replaces": .array(pending.map { .string($0) })]); return }
        // Only the latest decision of a case is sent: say so when this one replaces one the
        // contractor has not recorded yet.
        if !pending.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "sokuho-city: note: this replaces \(pending.joined(separator: ", ")), which the contractor has not recorded yet: only the latest decision is sent.\n"
                        .utf8))
        }
        print(
            "Publication decision \(id) for \(TerminalSafe.escape(contractor)) \(TerminalSafe.escape(caseID)) is waiting for the contractor's next message or poll."
        )
    }
}

struct CityAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check a copy of a contractor's database against every chain head the city received (Art. 17).",
        discussion: """
            The copy must verify on its own (sokuho audit verify) and hold, at each position, the \
            hash the city received there. A database rewritten after the fact — even with its \
            whole chain recomputed consistently — fails, and the first head that disagrees is named.
            """)
    @Option(help: "The contractor whose database it is.") var contractor: String
    @Option(help: ArgumentHelp("The copy of the contractor's database.", valueName: "COPY.db")) var db: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (config, store) = try options.store()
        options.requireContractor(contractor, in: config)
        guard FileManager.default.fileExists(atPath: db) else { fail("no such file: \(db)", code: 74) }
        let anchors = await orFail { () async throws(CityError) in try await store.anchors(contractor: contractor) }
        let reader: AuditReader
        let outcome: AuditReader.Outcome
        let checked: AuditReader.AnchorOutcome
        do {
            reader = try AuditReader(path: db)
            outcome = try reader.verify()
            checked = try reader.check(anchors: anchors, allInstallations: true)
        } catch { fail("cannot read \(db): \(error)", code: 74) }
        if json {
            printJSON(["ok": .bool(outcome.problem == nil && checked.mismatch == nil), "chain": outcome.json, "anchors": checked.json])
        } else if let p = outcome.problem {
            print("FAILED: the database does not verify on its own: event #\(p.seq): \(TerminalSafe.escape(p.message))")
        } else if let m = checked.mismatch {
            print("FAILED: the database disagrees with a chain head the city received from \(contractor).")
            print("  event #\(m.anchor.seq): the city received \(m.anchor.hash), the database has \(m.found ?? "no such event")")
            print("  in message \(TerminalSafe.escape(m.anchor.source))")
        } else {
            print(
                "OK: \(outcome.eventsChecked) events verify, and all \(checked.checked) chain heads the city received from \(contractor) match."
            )
        }
        if outcome.problem != nil || checked.mismatch != nil { throw ExitCode(1) }
    }
}
