import ArgumentParser
import SokuhoCore

/// `--lang` and `--output`, for the commands that render a document (after their `--format`).
struct DocumentOptions: ParsableArguments {
    @Option(help: "ja or en (default: from LANG).") var lang: String?
    @Option(help: "Write to this file instead of standard output.") var output: String?

    /// The document's style for `--lang`, in the zone the daemon's `answer` states.
    func style(answer: JSONValue) -> DocumentStyle { ReportLanguage.style(lang, answer: answer) }

    /// Writes the rendered document to `--output`, or to standard output.
    func write(_ text: String, json: Bool = false) throws { try ReportLanguage.write(text, to: output, json: json) }
}

/// Refuses a `--format` that is not one of `formats`: "--format must be a, b or c".
func requireFormat(_ format: String, _ formats: [String]) throws {
    guard formats.contains(format) else {
        let english = formats.dropLast().joined(separator: ", ") + " or " + (formats.last ?? "")
        printError(Lang.t("--format must be \(english)", "--format は \(formats.joined(separator: "・")) のいずれかです"))
        throw ExitCode(Exit.usage)
    }
}
