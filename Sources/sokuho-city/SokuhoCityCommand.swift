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
