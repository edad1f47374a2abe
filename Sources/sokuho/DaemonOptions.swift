import ArgumentParser
import SokuhoCore

/// `--json` and `--socket`, for the commands that ask the daemon and print its answer: as JSON
/// with `--json`, else in words.
struct DaemonOptions: ParsableArguments {
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions

    /// Sends `request` and returns the successful answer to be put in words; with `--json`,
    /// prints the answer and returns nil. A failure prints the daemon's error and exits.
    func call(_ request: some ControlRequest) throws -> JSONValue? {
        let response = try callDaemon(request, options: connection)
        if json { printJSON(response); return nil }
        return response
    }
}
