import ArgumentParser
import Foundation
import SokuhoConfig

/// Where a command that reads the database file directly (`audit verify`, `backup`) finds it:
/// `--db PATH`, else the state_dir of `--config FILE`, else `$SOKUHO_DB`, else
/// /var/lib/sokuho/sokuho.db.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The database file.", valueName: "PATH")) var db: String?
    @Option(help: ArgumentHelp("Take the database location from this configuration file.", valueName: "FILE")) var config: String?

    /// The database path; a configuration that cannot be loaded is a usage error (exit 64).
    func path() throws -> String {
        if let db { return db }
        if let config {
            do { return try Configuration.load(file: config).databasePath } catch {
                printError("\(error)")
                throw ExitCode(Exit.usage)
            }
        }
        return ProcessInfo.processInfo.environment["SOKUHO_DB"] ?? "/var/lib/sokuho/sokuho.db"
    }
}
