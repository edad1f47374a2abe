import Foundation
import SokuhoCore

/// One place escalations go: the city, or the contractor's own security lead.
public struct Endpoint: Sendable {
    public var name: String
    public var url: String
    /// Every secret signs each message (one signature entry per secret: key rotation).
    public var secrets: [WebhookSignature.Secret]
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var proxy: String?
    public var connectTimeout: Double
    public var timeout: Double

    public init(name: String, url: String, secrets: [WebhookSignature.Secret], caFile: String? = nil, clientCertificate: String? = nil,
                clientKey: String? = nil, proxy: String? = nil, connectTimeout: Double = 5, timeout: Double = 20) {
        self.name = name
        self.url = url
        self.secrets = secrets
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// Reads the secrets of an endpoint: one `whsec_…` per line (blank lines and `#` comments
    /// ignored). The file must not be readable or writable by others.
    public static func loadSecrets(file: String) throws(WebhookError) -> [WebhookSignature.Secret] {
        var st = stat()
        guard stat(file, &st) == 0 else { throw WebhookError.secretFile(file, "cannot read it: \(String(cString: strerror(errno)))") }
        if st.st_mode & 0o007 != 0 {
            throw WebhookError.secretFile(file, "it is accessible by others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(file)")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw WebhookError.secretFile(file, "cannot read it as UTF-8 text")
        }
        do { return try WebhookSignature.Secret.list(text) } catch { throw WebhookError.secretFile(file, "\(error)") }
    }

    /// Where systemd's `LoadCredential=` puts a secret for an endpoint: `$CREDENTIALS_DIRECTORY/sokuho-<name>.secret`.
    public static func credentialFile(for name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty else { return nil }
        let path = dir + "/sokuho-\(name).secret"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}

/// Errors of the webhook module.
public enum WebhookError: Error, Sendable, CustomStringConvertible {
    case secretFile(String, String)
    case noSecret(endpoint: String)

    public var description: String {
        switch self {
        case .secretFile(let f, let r): "webhook secret file \(f): \(r)"
        case .noSecret(let e): "endpoint \(e) has no secret: set secret_file, or provide $CREDENTIALS_DIRECTORY/sokuho-\(e).secret"
        }
    }
}
