import Foundation

/// A browser-less user of the city's inbox: real HTTP with curl, its own cookie jar, redirects
/// not followed (so each 303 and each Set-Cookie can be checked).
final class InboxClient: @unchecked Sendable {
    struct Page {
        var status: Int
        /// Header names lower-cased; repeated headers joined with "\n".
        var headers: [String: String]
        var body: String

        var setCookies: [String] { headers["set-cookie"]?.split(separator: "\n").map(String.init) ?? [] }

        /// The CSRF token of the first form on the page.
        var csrf: String? {
            guard let r = body.range(of: #"name="csrf" value=""#) else { return nil }
            let token = body[r.upperBound...].prefix(while: { $0 != "\"" })
            return token.isEmpty ? nil : String(token)
        }
    }

    let port: Int
    let jar: String
    let dir: String

    init(port: Int, dir: String, name: String) {
        self.port = port
        self.dir = dir
        jar = dir + "/\(name).cookies"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The session cookie's value in the jar, if any.
    var sessionID: String? {
        let text = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return f.count >= 7 && f[5] == "sokuho_city_session" && !f[6].isEmpty ? String(f[6]) : nil
        }.last
    }

    func get(_ path: String, headers: [String] = []) throws -> Page {
        try request(path, extra: headers.map { "-H " + Self.quote($0) }.joined(separator: " "))
    }

    /// A form POST (`application/x-www-form-urlencoded`).
    func post(_ path: String, form: [(String, String)], headers: [String] = []) throws -> Page {
        let data = form.map { "--data-urlencode " + Self.quote($0.0 + "=" + $0.1) }.joined(separator: " ")
        return try request(path, extra: data + " " + headers.map { "-H " + Self.quote($0) }.joined(separator: " "))
    }

    private func request(_ path: String, extra: String) throws -> Page {
        let bodyFile = dir + "/inbox-body-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: bodyFile) }
        let r = try DaemonHarness.shell(
            "curl -sS --max-time 20 -D - -o \(Self.quote(bodyFile)) -b \(Self.quote(jar)) -c \(Self.quote(jar)) \(extra) "
                + Self.quote("http://127.0.0.1:\(port)\(path)"))
        guard r.status == 0 else { throw HarnessError("curl \(path): \(r.stderr)") }
        var status = 0
        var headers: [String: String] = [:]
        for line in r.stdout.split(separator: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers[name] = headers[name].map { $0 + "\n" + value } ?? value
            }
        }
        let body = (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? ""
        return Page(status: status, headers: headers, body: body)
    }
}
