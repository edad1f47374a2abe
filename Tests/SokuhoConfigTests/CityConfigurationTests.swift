import SokuhoConfig
import Testing

@Suite("sokuho-city's configuration: the inbox's users file and cookies")
struct CityConfigurationTests {
    @Test("users_file defaults to <state_dir>/users; inbox.secure_cookies is true or false, nothing else")
    func inbox() throws {
        let plain = try CityConfiguration.parse("state_dir: /var/lib/sokuho-city\n", file: "c.yaml", baseDirectory: "/etc/sokuho-city")
        #expect(plain.usersFile == "/var/lib/sokuho-city/users")
        #expect(plain.secureCookies == false)
        let set = try CityConfiguration.parse(
            "state_dir: /var/lib/sokuho-city\nusers_file: staff\ninbox:\n  secure_cookies: true\n", file: "c.yaml",
            baseDirectory: "/etc/sokuho-city")
        #expect(set.usersFile == "/etc/sokuho-city/staff")
        #expect(set.secureCookies)
        #expect(throws: ConfigError.self) {
            try CityConfiguration.parse("state_dir: /s\ninbox:\n  secure_cookies: yes please\n", file: "c.yaml", baseDirectory: "/")
        }
        #expect(throws: ConfigError.self) {
            try CityConfiguration.parse("state_dir: /s\ninbox:\n  secure: true\n", file: "c.yaml", baseDirectory: "/")
        }
    }
}
