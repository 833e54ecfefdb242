/// A Codable encoder that writes canonical JSON directly (see `CanonicalJSON`): what
/// Foundation's JSONEncoder writes with `.sortedKeys` and `.withoutEscapingSlashes`, byte for
/// byte (a test compares the two on every message type and on random values), in a fraction of
/// its time. Envelopes are encoded on every outbox append, so this is the hot path.
struct CanonicalEncoder {
    func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = Encoding(codingPath: [])
        try root.encodeValue(value)
        var output: [UInt8] = []
        output.reserveCapacity(256)
        (root.node ?? .object(ObjectBox())).write(to: &output)
        return output
    }
}

/// What a value encodes to, before it is written.
enum Node {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array(ArrayBox)
    case object(ObjectBox)

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let box):
            output.append(UInt8(ascii: "["))
            for (index, item) in box.items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let box):
            output.append(UInt8(ascii: "{"))
            // Keys in Unicode code point order, which is the order of their UTF-8 bytes.
            let keys = box.members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                box.members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`, the rest as
    /// UTF-8 (`/` not escaped).
    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)],
                ])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    static func double(_ value: Double) -> Node {
        // Non-finite numbers as strings, as CanonicalJSON's encoder strategy says.
        guard value.isFinite else { return .string(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity")) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    static func float(_ value: Float) -> Node {
        guard value.isFinite else { return .string(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity")) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

final class ArrayBox {
    var items: [Node] = []
}

final class ObjectBox {
    var members: [String: Node] = [:]
}

/// The `Encoder` one value is encoded with; its result is `node`.
final class Encoding: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: Node?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // A second keyed container on the same encoder writes into the same object (a flat
        // record made of two parts, like Candidate).
        let box: ObjectBox
        if case .object(let existing)? = node {
            box = existing
        } else {
            box = ObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing)? = node {
            box = existing
        } else {
            box = ArrayBox()
            node = .array(box)
        }
        return Unkeyed(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoding: self) }

    /// Encodes `value` as this encoder's node, taking the short way for the standard types.
    func encodeValue(_ value: some Encodable) throws {
        if let node = Self.primitive(value) {
            self.node = node
        } else {
            try value.encode(to: self)
        }
    }

    /// The node of a value encoded at `path`.
    static func node(of value: some Encodable, at path: [any CodingKey]) throws -> Node {
        if let node = primitive(value) { return node }
        let child = Encoding(codingPath: path)
        try value.encode(to: child)
        return child.node ?? .object(ObjectBox())
    }

    @inline(__always)
    static func primitive(_ value: some Encodable) -> Node? {
        switch value {
        case let value as String: .string(value)
        case let value as Bool: .bool(value)
        case let value as Int: .number(String(value))
        case let value as Int64: .number(String(value))
        case let value as Int32: .number(String(value))
        case let value as Int16: .number(String(value))
        case let value as Int8: .number(String(value))
        case let value as UInt: .number(String(value))
        case let value as UInt64: .number(String(value))
        case let value as UInt32: .number(String(value))
        case let value as UInt16: .number(String(value))
        case let value as UInt8: .number(String(value))
        case let value as Double: Node.double(value)
        case let value as Float: Node.float(value)
        default: nil
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: ObjectBox
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { box.members[key.stringValue] = .null }

        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            box.members[key.stringValue] = try Encoding.node(of: value, at: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let nested = ObjectBox()
            box.members[key.stringValue] = .object(nested)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: nested, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            box.members[key.stringValue] = .array(nested)
            return Unkeyed(box: nested, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            // Class inheritance in Codable: nothing in the message schema uses it, and a silent
            // wrong answer would corrupt messages, so say it loudly.
            preconditionFailure("CanonicalEncoder does not support superEncoder (at \(codingPath + [key]))")
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: ArrayBox
        let codingPath: [any CodingKey]
        var count: Int { box.items.count }

        struct Index: CodingKey {
            let intValue: Int?
            var stringValue: String { "Index \(intValue ?? 0)" }
            init(_ index: Int) { intValue = index }
            init?(stringValue: String) { nil }
            init?(intValue: Int) { self.intValue = intValue }
        }

        mutating func encodeNil() throws { box.items.append(.null) }

        mutating func encode(_ value: some Encodable) throws {
            box.items.append(try Encoding.node(of: value, at: codingPath + [Index(box.items.count)]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type
        )
            -> KeyedEncodingContainer<NestedKey>
        {
            let nested = ObjectBox()
            let path = codingPath + [Index(box.items.count)]
            box.items.append(.object(nested))
            return KeyedEncodingContainer(Keyed<NestedKey>(box: nested, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            let path = codingPath + [Index(box.items.count)]
            box.items.append(.array(nested))
            return Unkeyed(box: nested, codingPath: path)
        }

        mutating func superEncoder() -> any Encoder {
            preconditionFailure("CanonicalEncoder does not support superEncoder (at \(codingPath))")
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoding: Encoding
        var codingPath: [any CodingKey] { encoding.codingPath }

        mutating func encodeNil() throws { encoding.node = .null }

        mutating func encode(_ value: some Encodable) throws {
            encoding.node = try Encoding.node(of: value, at: codingPath)
        }
    }
}
