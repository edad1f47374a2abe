import Foundation
import SokuhoCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// `metrics.listen`: where the Prometheus endpoint (`/metrics`) listens; off by default.
extension Configuration {
    /// A numeric address and a port. Host names are refused: the endpoint listens on exactly the
    /// configured address and nowhere else.
    public struct MetricsListen: Sendable, Equatable, CustomStringConvertible {
        /// An IPv4 or IPv6 literal, e.g. `127.0.0.1` or `::1`.
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `127.0.0.1:9464`, `[::1]:9464`.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Parses `HOST:PORT` (`[V6]:PORT` for IPv6); nil when malformed.
        public static func parse(_ text: String) -> MetricsListen? {
            let host: Substring
            let portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                portText = text[text.index(close, offsetBy: 2)...]
                guard host.contains(":") else { return nil }
            } else {
                guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), portText.count <= 5,
                let port = Int(portText), (1...65535).contains(port), isNumericAddress(String(host))
            else { return nil }
            return MetricsListen(host: String(host), port: port)
        }

        static func isNumericAddress(_ host: String) -> Bool {
            var v4 = in_addr()
            var v6 = in6_addr()
            return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
        }
    }

    /// The `metrics` section (`metrics.listen`): nil when absent or `off`.
    static func parseMetrics(_ node: Node?, reader: ConfigReader, file: String) throws(ConfigError) -> MetricsListen? {
        guard let node else { return nil }
        let m = try reader.mapping(node, key: "metrics", allowed: ["listen"])
        guard let n = m["listen"], let text = try reader.optionalString(n, key: "metrics.listen") else { return nil }
        if ["off", "false", "no"].contains(text) { return nil }
        guard let listen = MetricsListen.parse(text) else {
            throw ConfigError(
                node: n, file: file, key: "metrics.listen",
                reason:
                    "must be an address and a port such as 127.0.0.1:9464 or [::1]:9464 (numeric, no host names), or off; not \"\(TerminalSafe.quoted(text))\""
            )
        }
        return listen
    }
}
