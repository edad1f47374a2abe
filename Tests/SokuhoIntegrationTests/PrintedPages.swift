import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Prints HTML to PDF with headless Chromium, as a person would before filing a document, and
/// reads the PDF back with poppler-utils: its text page by page, its page count and size, and
/// where each word sits. Both come from Debian (`chromium`, `poppler-utils`), installed by
/// `scripts/system-packages.sh --with-test-tools`.
enum PrintedPages {
    static func tool(_ names: [String]) -> String? {
        for name in names {
            for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
                return dir + "/" + name
            }
        }
        return nil
    }

    static let chromium = tool(["chromium", "chromium-browser"])
    static let pdftotext = tool(["pdftotext"])
    static let pdfinfo = tool(["pdfinfo"])
    static let pdftoppm = tool(["pdftoppm"])
    static var available: Bool { chromium != nil && pdftotext != nil && pdfinfo != nil && pdftoppm != nil }

    /// A4 in PostScript points, and the page margin left and right (15 mm).
    static let pageWidth = 595.28, sideMargin = 15 / 25.4 * 72

    struct Printed {
        var pdf: String
        var pages: Int
        var pageSize: String
        /// The text of each page (`pdftotext -layout`), first page first.
        var pageTexts: [String]
        var text: String { pageTexts.joined(separator: "\n") }
        /// The right edge of the rightmost word on any page, in points.
        var rightmostWord: Double
    }

    /// Runs a program with a time limit (generous: the machine may be loaded); its output.
    static func run(_ exe: String, _ args: [String], timeout: TimeInterval = 240) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let done = DispatchSemaphore(value: 0)
        let o = OutputBox(), e = OutputBox()
        DispatchQueue.global().async {
            o.data = out.fileHandleForReading.readDataToEndOfFile(); done.signal()
        }
        DispatchQueue.global().async {
            e.data = err.fileHandleForReading.readDataToEndOfFile(); done.signal()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning, Date() < deadline { usleep(50_000) }
        if p.isRunning {
            kill(-p.processIdentifier, SIGKILL)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            throw HarnessError("\(exe) did not finish within \(Int(timeout)) s")
        }
        // A helper process left behind may hold the pipes open: do not wait for it forever.
        _ = done.wait(timeout: .now() + 30)
        _ = done.wait(timeout: .now() + 30)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw HarnessError(
                "\(exe) \(args.joined(separator: " ")) exited \(p.terminationStatus): \(String(decoding: e.data, as: UTF8.self).suffix(2000))"
            )
        }
        return String(decoding: o.data, as: UTF8.self)
    }

    /// The command that prints `html` to `pdf`: Chromium runs as root in CI, hence
    /// `--no-sandbox`; its own header and footer (date, file URL) are off, the document prints
    /// its page footer itself; a profile of its own so parallel runs do not share one.
    static func chromiumArguments(html: String, pdf: String, profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile)",
            "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)",
        ]
    }

    /// Prints `html` (a file) to a PDF beside it and reads it back.
    static func print(_ html: String) throws -> Printed {
        guard let chromium, let pdftotext, let pdfinfo else { throw HarnessError("chromium or poppler-utils missing") }
        let pdf = (html as NSString).deletingPathExtension + ".pdf"
        let profile = (html as NSString).deletingPathExtension + ".chromium-profile"
        _ = try run(chromium, chromiumArguments(html: html, pdf: pdf, profile: profile))
        guard FileManager.default.fileExists(atPath: pdf) else { throw HarnessError("chromium wrote no \(pdf)") }
        let info = try run(pdfinfo, [pdf])
        func field(_ name: String) -> String {
            info.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map {
                $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
            } ?? ""
        }
        let pages = Int(field("Pages")) ?? 0
        var texts: [String] = []
        for i in 0..<max(pages, 0) {
            texts.append(try run(pdftotext, ["-layout", "-enc", "UTF-8", "-f", "\(i + 1)", "-l", "\(i + 1)", pdf, "-"]))
        }
        let bbox = try run(pdftotext, ["-bbox", "-enc", "UTF-8", pdf, "-"])
        let xs = bbox.components(separatedBy: "xMax=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
        return Printed(pdf: pdf, pages: pages, pageSize: field("Page size"), pageTexts: texts, rightmostWord: xs.max() ?? 0)
    }

    /// The first page as a PNG at 60 dpi: the picture `docs/` shows (`pdftoppm -png -r 60 -f 1 -l 1`).
    static func firstPagePNG(_ pdf: String, to png: String) throws {
        guard let pdftoppm else { throw HarnessError("pdftoppm missing") }
        let base = (png as NSString).deletingPathExtension
        _ = try run(pdftoppm, ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, base])
    }
}

/// What a reader thread collected; read only after it signalled.
private final class OutputBox: @unchecked Sendable {
    var data = Data()
}
