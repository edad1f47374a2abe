import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

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
