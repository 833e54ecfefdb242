import Bus
import Messages

/// Turns one message into the line bus-tap prints.
struct TapPrinter: Sendable {
    let json: Bool
    let colour: Bool
    /// Characters of payload shown on a readable line.
    var payloadWidth = 120

    /// `verdict` marks a readable line that broke its stream's numbering; in JSON the line
    /// stays the envelope as received (the reports go to standard error). A readable line
    /// ends with `latency`, the milliseconds from the envelope's `time` to its reception.
    func line(
        for message: BusMessage, header: EnvelopeHeader, verdict: SequenceTracker.Verdict = .inOrder,
        latency: Int64? = nil
    ) -> String {
        if json {
            // Exactly as received; a line break in JSON is whitespace outside strings (inside
            // them it must be escaped), so turning it into a space keeps the JSON and the line.
            return String(decoding: message.envelope.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self) + "\n"
        }
        let payload = String(decoding: (try? CanonicalJSON.encode(header.payload)) ?? [], as: UTF8.self)
        let short = payload.count > payloadWidth ? payload.prefix(payloadWidth - 1) + "…" : Substring(payload)
        let time = header.time.rfc3339
        let origin = "\(header.source)#\(header.seq)"
        let tag = self.tag(verdict).map { colour ? "\u{1B}[\($0.code)m\($0.text)\u{1B}[0m " : $0.text + " " } ?? ""
        let delay = latency.map { " " + Self.latency($0) } ?? ""
        guard colour else { return "\(time) \(header.type) \(origin) \(tag)\(short)\(delay)\n" }
        return "\(dim(time)) \(paint(header.type, stream: header.stream)) \(dim(origin)) \(tag)\(short)\(dim(delay))\n"
    }

    /// `+12ms`, `+3.4s`, or `-5ms` when the sender's clock is ahead of ours.
    static func latency(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : "+"
        let magnitude = abs(milliseconds)
        return magnitude < 10_000 ? "\(sign)\(magnitude)ms" : "\(sign)\(magnitude / 1000)s"
    }

    /// The mark of a message out of sequence, and its colour (bold red, bold yellow).
    private func tag(_ verdict: SequenceTracker.Verdict) -> (text: String, code: String)? {
        switch verdict {
        case .inOrder: nil
        case .gap: ("[gap]", "1;31")
        case .duplicate: ("[dup]", "1;33")
        }
    }

    private func dim(_ text: String) -> String { "\u{1B}[2m\(text)\u{1B}[0m" }

    /// One colour per stream, so that a busy screen can be read at a glance.
    private func paint(_ text: String, stream: String) -> String {
        let code: Int
        switch stream {
        case "offer": code = 34
        case "candidate": code = 32
        case "contact": code = 35
        case "match": code = 33
        case "notification": code = 36
        case "heartbeat": code = 90
        default: code = 37
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
