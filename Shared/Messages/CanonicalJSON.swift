import Foundation

/// The one JSON form of Passerelle messages, and decoding that reports errors as
/// `MessageError` with the JSON path of the field at fault.
///
/// Canonical form: compact (no whitespace), object keys sorted by Unicode code point
/// (which is UTF-8 byte order), `/` not escaped, non-ASCII characters written as UTF-8,
/// integers without a fraction, other numbers in their shortest round-trip form. Absent
/// optional fields are omitted rather than written as `null`. Decoding then re-encoding a
/// canonical message gives the same bytes.
public enum CanonicalJSON {
    /// One encoder for every call: its options never change after this, and Foundation's
    /// JSONEncoder is safe to share between threads then. Making one per message cost more
    /// than the encoding itself on the outbox's hot path.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()
    private static let decoder = JSONDecoder()

    /// Encodes `value` in canonical form.
    ///
    /// Non-finite numbers, which JSON cannot carry, are written as the strings `"NaN"`,
    /// `"Infinity"` and `"-Infinity"`; readers reject them as the wrong type.
    public static func encode(_ value: some Encodable) throws(MessageError) -> [UInt8] {
        do {
            return try CanonicalEncoder().encode(value)
        } catch let EncodingError.invalidValue(_, context) {
            throw .invalidField(field: MessageError.jsonPath(context.codingPath), reason: context.debugDescription)
        } catch {
            throw .translating(error)
        }
    }

    /// The same with Foundation's JSONEncoder: the reference the tests hold `encode` to.
    static func foundationEncode(_ value: some Encodable) throws(MessageError) -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch let EncodingError.invalidValue(_, context) {
            throw .invalidField(field: MessageError.jsonPath(context.codingPath), reason: context.debugDescription)
        } catch {
            throw .translating(error)
        }
    }

    /// Decodes a `T` from JSON bytes, translating every failure into a `MessageError`.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>
    ) throws(MessageError)
        -> T
    {
        let data = Data(bytes)
        if data.isEmpty {
            throw .notJSON(reason: "empty input")
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            let translated = MessageError.translating(error)
            if case .notJSON = translated, String(validating: data, as: UTF8.self) == nil {
                throw .notJSON(reason: "not valid UTF-8")
            }
            throw translated
        }
    }
}
