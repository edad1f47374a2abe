import SokuhoCore

extension Endpoint {
    /// The headers of one delivery attempt to this endpoint (Standard Webhooks v1).
    ///
    /// Contract: `webhook-id` is `messageID` (the same on every attempt of a message);
    /// `webhook-timestamp` is `timestamp`, the attempt's time in seconds since 1970; and
    /// `webhook-signature` holds one `v1,…` entry per secret of the endpoint, each signing
    /// `messageID`, `timestamp` and exactly `body`.
    public func signedHeaders(messageID: String, timestamp: Int64, body: [UInt8]) -> [String] {
        [
            "Content-Type: application/json",
            "User-Agent: sokuho/0.1",
            "webhook-id: \(messageID)",
            "webhook-timestamp: \(timestamp)",
            "webhook-signature: \(WebhookSignature.header(id: messageID, timestamp: timestamp, body: body, secrets: secrets))",
        ]
    }
}
