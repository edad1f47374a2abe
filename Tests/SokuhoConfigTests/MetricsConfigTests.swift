import Testing

@testable import SokuhoConfig

@Suite("metrics.listen")
struct MetricsConfigTests {
    func parse(_ metrics: String) throws(ConfigError) -> Configuration {
        try Configuration.parse("state_dir: /var/lib/sokuho\n" + metrics, file: "t.yaml", baseDirectory: "/etc/sokuho")
    }

    @Test("off by default and with off; an IPv4 or IPv6 address and port when set")
    func values() throws {
        #expect(try parse("").metricsListen == nil)
        #expect(try parse("metrics:\n  listen: off\n").metricsListen == nil)
        #expect(try parse("metrics:\n  listen: null\n").metricsListen == nil)
        #expect(try parse("metrics:\n  listen: 127.0.0.1:9464\n").metricsListen == .init(host: "127.0.0.1", port: 9464))
        #expect(try parse("metrics:\n  listen: \"[::1]:9464\"\n").metricsListen == .init(host: "::1", port: 9464))
        #expect(Configuration.MetricsListen(host: "::1", port: 9464).description == "[::1]:9464")
        #expect(Configuration.embeddedDefault().metricsListen == nil)
    }

    @Test("host names, missing or bad ports, and unknown keys are refused with the key named")
    func refused() {
        for bad in [
            "localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", ":9464", "[::1]9464", "::1:9464",
            "0x7f.0.0.1:9464", "127.0.0.1:+9464", "999.0.0.1:9464",
        ] {
            #expect(throws: ConfigError.self, "\(bad)") { try parse("metrics:\n  listen: \"\(bad)\"\n") }
            do { _ = try parse("metrics:\n  listen: \"\(bad)\"\n") } catch { #expect(error.key == "metrics.listen") }
        }
        #expect(throws: ConfigError.self) { try parse("metrics:\n  port: 9464\n") }
    }

    @Test("changing it needs a restart (SIGHUP names it)")
    func reload() throws {
        let a = try parse("")
        let b = try parse("metrics:\n  listen: 127.0.0.1:9464\n")
        #expect(a.reloadable(from: b).needsRestart.contains("metrics.listen"))
    }
}
