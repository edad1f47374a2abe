import ArgumentParser
import Foundation
import SokuhoConfig
import SokuhoCore

/// How the document commands (case report, case notice, status-report) choose the language
/// and the zone of a document and write it.
enum ReportLanguage {
    static func japanese(_ lang: String?) -> Bool {
        guard let lang else { return Lang.japanese }
        return lang.hasPrefix("ja")
    }

    /// The style of a document in `lang` made from the daemon's `answer`: its times in the zone
    /// the daemon states (`time_zone_offset_seconds`, when its configuration sets one), else in
    /// `zone`.
    static func style(_ lang: String?, answer: JSONValue) -> DocumentStyle {
        if let seconds = answer["time_zone_offset_seconds"]?.intValue, abs(seconds) <= 14 * 3600 {
            return DocumentStyle(japanese: japanese(lang), zone: .fixed(seconds: Int(seconds)))
        }
        return DocumentStyle(japanese: japanese(lang), zone: zone)
    }

    /// The zone documents show times in, as the daemon uses it: `time_zone_offset` of the
    /// configuration ($SOKUHO_CONFIG, else /etc/sokuho/sokuhod.yaml) when it sets one, else the
    /// system's zone. A configuration that cannot be used (unreadable, not a regular file, over
    /// 1 MiB, invalid; or $SOKUHO_CONFIG naming no file) gives the system's zone and a warning
    /// on standard error, never a hang or a failure: the document states the zone it uses.
    static var zone: DocumentZone {
        let env = ProcessInfo.processInfo.environment
        let given = env["SOKUHO_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let file = given ?? "/etc/sokuho/sokuhod.yaml"
        let system = TimeZone.current
        let systemZone = DocumentZone(
            name: ["GMT", "UTC", "Etc/UTC", "Etc/GMT"].contains(system.identifier) ? nil : system.identifier,
            offsetAt: { system.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) })
        switch configuredOffset(file) {
        case .success(let offset?): return .fixed(seconds: offset)
        case .success(nil): return systemZone
        case .failure(let problem):
            if problem.missing, given == nil { return systemZone }
            printError(
                Lang.t(
                    "times are in the system's zone: time_zone_offset of \(file) cannot be used (\(problem.reason))",
                    "時刻はシステムのタイムゾーンで表示します: \(file) の time_zone_offset を使えません（\(problem.reason)）"))
            return systemZone
        }
    }

    struct ConfigProblem: Error {
        var reason: String
        var missing = false
    }

    /// `time_zone_offset` of the configuration `file`, read without blocking (a FIFO or a
    /// device is refused, not waited on) and only when it is a regular file of at most 1 MiB.
    static func configuredOffset(_ file: String) -> Result<Int?, ConfigProblem> {
        let fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ConfigProblem(reason: String(cString: strerror(errno)), missing: errno == ENOENT)) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return .failure(ConfigProblem(reason: "not a regular file")) }
        let limit = 1 << 20
        guard st.st_size <= limit, let data = try? handle.read(upToCount: limit + 1), data.count <= limit else {
            return .failure(ConfigProblem(reason: "larger than 1 MiB"))
        }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(ConfigProblem(reason: "not UTF-8")) }
        let base = (URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path)
        do { return .success(try Configuration.parse(text, file: file, baseDirectory: base).utcOffset) } catch {
            return .failure(
                ConfigProblem(reason: [error.key, error.line.map { "line \($0)" }, error.reason].compactMap { $0 }.joined(separator: ", ")))
        }
    }

    /// Writes a rendered document to `output`, or to standard output made terminal-safe.
    static func write(_ text: String, to output: String?, json: Bool = false) throws {
        guard let output else { Swift.print(terminalSafeDocument(text, json: json), terminator: ""); return }
        do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            printError(Lang.t("cannot write \(output): \(error.localizedDescription)", "\(output) に書き込めません"))
            throw ExitCode(Exit.ioError)
        }
        print(Lang.t("Written: \(shown(output))", "出力しました: \(shown(output))"))
    }
}
