import Messages

/// The rate at which one core decodes envelopes as an inbox does (`Envelope.decode`), the
/// yardstick the bus's own rate is compared with.
enum CodecRate {
    static func decodes(_ template: EnvelopeTemplate, count: Int = 50_000) -> Double {
        let bytes = (1...100).map { template.envelope(seq: $0) }
        var decoded = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<count {
                if (try? Envelope.decode(topic: EnvelopeTemplate.topic, bytes: bytes[index % bytes.count])) != nil {
                    decoded += 1
                }
            }
        }
        precondition(decoded == count, "the template must decode")
        return Double(count) / (elapsed / .seconds(1))
    }
}
