import Foundation
import Messages

/// Real `Envelope` JSON of an exact byte size, made cheaply for every sequence number.
///
/// Encoding each message with `JSONEncoder` would measure the encoder, not the bus, so the
/// envelope is encoded once per digit count of `seq` (padding shrinks as `seq` grows, so the
/// size stays exact) and each message patches its `seq` and a unique `id` into a copy.
/// `init` decodes samples back with `Envelope.decode` to prove the patched bytes are valid.
struct EnvelopeTemplate: Sendable {
    static let topic = "bench.throughput"
    static let source = "bus-throughput"
    /// `id` of the template; each message replaces its last 12 hex digits with `seq`.
    private static let templateID = UUID(uuidString: "00000000-0000-4000-8000-000000000000")!

    let size: Int
    /// Index = digit count of `seq`; each template already holds the right padding.
    private let templates: [[UInt8]]
    private let seqOffsets: [Int]
    private let idTailOffset: Int
    /// Bytes after the `seq` digits: the same for every width (source, time, type, v).
    private let suffixLength: Int

    enum Problem: Error, CustomStringConvertible {
        case tooSmall(size: Int, minimum: Int)
        case unexpectedEncoding(String)
        var description: String {
            switch self {
            case .tooSmall(let size, let minimum): "an envelope of \(size) B is too small: the minimum is \(minimum) B"
            case .unexpectedEncoding(let what): "unexpected Envelope encoding: \(what)"
            }
        }
    }

    init(size: Int, maxSeq: Int) throws {
        self.size = size
        let time = Timestamp.now
        func encode(seq: Int, padding: Int) -> [UInt8] {
            let event = Event.unknown(
                topic: Self.topic, payload: .object(["pad": .string(String(repeating: "x", count: padding))]))
            return Envelope(id: Self.templateID, source: Self.source, seq: Int64(seq), time: time, event: event)
                .encoded()
        }
        let idBytes = Array(Self.templateID.uuidString.lowercased().utf8)
        guard let idOffset = encode(seq: 1, padding: 0).firstRange(of: idBytes)?.lowerBound else {
            throw Problem.unexpectedEncoding("id not found")
        }
        idTailOffset = idOffset + 24
        var templates: [[UInt8]] = [[]]
        var seqOffsets = [0]
        var suffixLength = -1
        for width in 1...String(maxSeq).count {
            let seq = Int(pow(10, Double(width - 1)))  // any `seq` of this width does
            let minimum = encode(seq: seq, padding: 0).count
            guard minimum <= size else { throw Problem.tooSmall(size: size, minimum: minimum) }
            let bytes = encode(seq: seq, padding: size - minimum)
            guard bytes.count == size, let key = bytes.firstRange(of: Array(#""seq":"#.utf8)) else {
                throw Problem.unexpectedEncoding("got \(bytes.count) B for \(size) B, or no seq")
            }
            let suffix = bytes.count - key.upperBound - width
            guard suffixLength < 0 || suffix == suffixLength else {
                throw Problem.unexpectedEncoding("fields after seq change length")
            }
            suffixLength = suffix
            templates.append(bytes)
            seqOffsets.append(key.upperBound)
        }
        self.templates = templates
        self.seqOffsets = seqOffsets
        self.suffixLength = suffixLength
        try checkSamples(maxSeq: maxSeq)
    }

    /// The envelope of message `seq` (1-based): a copy of its template with `seq` and `id` patched.
    func envelope(seq: Int) -> [UInt8] {
        let width = Self.width(of: seq)
        var digits = seq
        var bytes = templates[width]
        bytes.withUnsafeMutableBufferPointer { buffer in
            var index = seqOffsets[width] + width - 1
            repeat {
                buffer[index] = UInt8(ascii: "0") + UInt8(digits % 10)
                digits /= 10
                index -= 1
            } while digits > 0
            let hex = Array("0123456789abcdef".utf8)
            for position in 0..<12 {
                buffer[idTailOffset + 11 - position] = hex[(seq >> (4 * position)) & 0xF]
            }
        }
        return bytes
    }

    /// The `seq` of a received envelope, read back from its fixed position before the suffix;
    /// `nil` if the size is wrong or no digits are there. Cheap enough for every message.
    func seq(of envelope: [UInt8]) -> Int? {
        guard envelope.count == size else { return nil }
        var index = size - suffixLength - 1
        var value = 0
        var scale = 1
        while index >= 0, case let byte = envelope[index], byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            value += Int(byte - UInt8(ascii: "0")) * scale
            scale *= 10
            index -= 1
        }
        return scale > 1 && index >= 0 && envelope[index] == UInt8(ascii: ":") ? value : nil
    }

    /// Decodes messages of every width with the real decoder, so the patching cannot drift.
    private func checkSamples(maxSeq: Int) throws {
        let samples = (1..<templates.count).flatMap { [Int(pow(10, Double($0 - 1))), Int(pow(10, Double($0))) - 1] }
        for seq in samples.map({ min($0, maxSeq) }) {
            let bytes = envelope(seq: seq)
            let decoded = try Envelope.decode(topic: Self.topic, bytes: bytes)
            guard bytes.count == size, decoded.seq == Int64(seq), self.seq(of: bytes) == seq,
                decoded.id.uuidString.lowercased().hasSuffix(String(seq, radix: 16).leftPadded(to: 12))
            else {
                throw Problem.unexpectedEncoding("message \(seq) does not decode back (\(bytes.count) B)")
            }
        }
    }

    /// Decimal digits of `seq`, without allocating a string on the hot path.
    private static func width(of seq: Int) -> Int {
        var width = 1
        var rest = seq / 10
        while rest > 0 {
            width += 1
            rest /= 10
        }
        return width
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        String(repeating: pad, count: max(0, length - count)) + self
    }
}
