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

    public init(
        name: String, url: String, secrets: [WebhookSignature.Secret], caFile: String? = nil, clientCertificate: String? = nil,
        clientKey: String? = nil, proxy: String? = nil, connectTimeout: Double = 5, timeout: Double = 20
    ) {
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
    /// ignored). Checked on the open file itself (`fstat`, never a separate `stat`): it must be a
    /// regular file owned by root or by this process's user, writable by nobody else and not
    /// readable by others (a group that may read it, such as the daemon's, is fine: `0640`).
    ///
    /// `owners`: who else may own the file besides root and this process's user (for
    /// `--check-config` run by root: the daemon's user).
    public static func loadSecrets(file: String, euid: UInt32 = geteuid(), owners: Set<UInt32> = []) throws(WebhookError)
        -> [WebhookSignature.Secret]
    {
        do {
            return try SecretFile.load(file, euid: euid, owners: owners, groupMayRead: true)
        } catch {
            switch error {
            case .cannotOpen(let reason): throw WebhookError.secretFile(file, "cannot open it (\(reason))")
            case .notRegular: throw WebhookError.secretFile(file, "it is not a regular file")
            case .groupOrOtherAccess(let mode):
                throw WebhookError.secretFile(
                    file,
                    "others may read it or the group may change it (mode 0\(String(mode, radix: 8))); run chmod 600 \(file) (or 640 with the daemon's group)"
                )
            case .wrongOwner(let uid, let expected):
                throw WebhookError.secretFile(
                    file,
                    "it belongs to uid \(uid), neither root nor this process's user (uid \(expected)), who could change it; run chown root:GROUP \(file) with GROUP the daemon's group (sokuho-city for the city's daemon), and chmod 640"
                )
            case .tooLarge: throw WebhookError.secretFile(file, "it is larger than \(SecretFile.maxBytes / 1024) KiB: not a secret file")
            case .notUTF8: throw WebhookError.secretFile(file, "cannot read it as UTF-8 text")
            case .invalid(let reason): throw WebhookError.secretFile(file, reason)
            }
        }
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
