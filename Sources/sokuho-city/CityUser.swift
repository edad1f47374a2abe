import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

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
        let config = try options.loadForUsersFile()
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
        let config = try options.loadForUsersFile()
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
        let config = try options.loadForUsersFile()
        let users: InboxUsers
        do { users = try InboxUsers.load(file: config.usersFile) } catch { fail("\(error)", code: 78) }
        let names = users.hashes.keys.sorted()
        if json { printJSON(["users": .array(names.map { .string($0) }), "count": .int(Int64(names.count))]); return }
        if names.isEmpty { print("No users: nobody can log in (sokuho-city user add NAME)."); return }
        for n in names { print(n) }
    }
}
