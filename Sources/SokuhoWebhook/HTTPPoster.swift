import CCurl
import Foundation
import SokuhoCore
import Synchronization

/// The answer to one POST.
public struct HTTPResult: Sendable {
    /// The HTTP status; nil when no answer came (connection error, timeout).
    public var status: Int?
    /// `Retry-After` in seconds, when the server sent it as a number of seconds.
    public var retryAfter: Double?
    /// `Retry-After` as a time, when the server sent it as an HTTP date. The poster reads no
    /// clock: the caller turns this into a delay against its own clock.
    public var retryAt: Date?
    /// The first 64 KiB of the body.
    public var body: [UInt8]
    public var latencyMs: Int
    /// curl's error, when the request failed before an answer.
    public var error: String?
}

/// Blocking HTTP POST through the system libcurl. TLS verification is always on; redirects are
/// never followed; only http and https are allowed.
public enum HTTPPoster {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    final class Sink {
        var body: [UInt8] = []
        var retryAfter: Double?
        var retryAt: Date?
    }

    /// Idle curl handles. A handle keeps its open connections across `curl_easy_reset`, so
    /// reusing handles reuses connections (keep-alive) instead of connecting for every message.
    struct Handle: @unchecked Sendable { let raw: UnsafeMutableRawPointer }
    static let idle = Mutex<[Handle]>([])
    static let maxIdle = 32

    public static func post(to endpoint: Endpoint, headers: [String], body: [UInt8]) -> HTTPResult {
        _ = globalInit
        let reused = idle.withLock { $0.popLast() }
        guard let h = reused?.raw ?? curl_easy_init() else {
            return HTTPResult(status: nil, body: [], latencyMs: 0, error: "curl_easy_init failed")
        }
        curl_easy_reset(h)
        defer {
            let kept = idle.withLock { pool -> Bool in
                if pool.count >= maxIdle { return false }
                pool.append(Handle(raw: h))
                return true
            }
            if !kept { curl_easy_cleanup(h) }
        }
        let sink = Sink()
        let sinkPtr = Unmanaged.passUnretained(sink).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers + ["Expect:"] { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        let errbuf = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errbuf.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errbuf.deallocate() }

        sokuho_curl_set_string(h, CURLOPT_URL, endpoint.url)
        sokuho_curl_set_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        sokuho_curl_set_long(h, CURLOPT_NOSIGNAL, 1)
        sokuho_curl_set_long(h, CURLOPT_FOLLOWLOCATION, 0)
        sokuho_curl_set_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        sokuho_curl_set_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        sokuho_curl_set_long(h, CURLOPT_TCP_NODELAY, 1)
        sokuho_curl_set_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(endpoint.connectTimeout * 1000))
        sokuho_curl_set_long(h, CURLOPT_TIMEOUT_MS, Int(endpoint.timeout * 1000))
        if let ca = endpoint.caFile { sokuho_curl_set_string(h, CURLOPT_CAINFO, ca) }
        if let cert = endpoint.clientCertificate { sokuho_curl_set_string(h, CURLOPT_SSLCERT, cert) }
        if let key = endpoint.clientKey { sokuho_curl_set_string(h, CURLOPT_SSLKEY, key) }
        // Without a configured proxy, ignore proxy environment variables: nothing goes elsewhere.
        sokuho_curl_set_string(h, CURLOPT_PROXY, endpoint.proxy ?? "")
        sokuho_curl_set_slist(h, CURLOPT_HTTPHEADER, list)
        sokuho_curl_set_long(h, CURLOPT_POST, 1)
        sokuho_curl_set_pointer(h, CURLOPT_WRITEDATA, sinkPtr)
        sokuho_curl_set_write(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, ctx in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let n = size * count
            let cap = EscalationMessage.maxAnswerBytes
            if sink.body.count < cap, let ptr {
                ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
                    sink.body.append(contentsOf: UnsafeBufferPointer(start: p, count: min(n, cap - sink.body.count)))
                }
            }
            return n
        }
        sokuho_curl_set_pointer(h, CURLOPT_HEADERDATA, sinkPtr)
        sokuho_curl_set_write(h, CURLOPT_HEADERFUNCTION) { ptr, size, count, ctx in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let n = size * count
            if let ptr {
                let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
                }
                let lower = line.lowercased()
                if lower.hasPrefix("retry-after:") {
                    let value = line.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                    if let seconds = Double(value) {
                        sink.retryAfter = seconds
                    } else if let date = HTTPPoster.httpDate(value) {
                        sink.retryAt = date
                    }
                }
            }
            return n
        }
        sokuho_curl_set_pointer(h, CURLOPT_ERRORBUFFER, errbuf)

        let start = DispatchTime.now().uptimeNanoseconds
        let code: CURLcode = body.withUnsafeBytes { buf in
            sokuho_curl_set_long(h, CURLOPT_POSTFIELDSIZE, buf.count)
            sokuho_curl_set_pointer(h, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buf.baseAddress))
            return curl_easy_perform(h)
        }
        let latency = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        if code != CURLE_OK {
            let detail = String(cString: errbuf)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return HTTPResult(status: nil, body: [], latencyMs: latency, error: message)
        }
        var status = 0
        sokuho_curl_get_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResult(
            status: status, retryAfter: sink.retryAfter, retryAt: sink.retryAt, body: sink.body, latencyMs: latency, error: nil)
    }

    static func httpDate(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: s)
    }
}
