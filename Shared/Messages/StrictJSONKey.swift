/// An object key as `StrictJSON` compares it: its bytes after resolving escapes, so `"a"`
/// and `"\u0061"` are the same key. A key without escapes points into the scanned text
/// instead of copying it, so it lives only as long as the scan.
struct StrictJSONKey: Hashable {
    private let raw: UnsafeRawBufferPointer
    private let decoded: [UInt8]?

    init(_ scanned: StrictJSONScanner.ScannedString, in text: UnsafeRawBufferPointer, decoded: [UInt8]?) {
        raw = UnsafeRawBufferPointer(rebasing: text[scanned.start..<scanned.end])
        self.decoded = decoded
    }

    /// The key as text, for paths and messages.
    var text: String {
        if let decoded { return String(decoding: decoded, as: UTF8.self) }
        return String(decoding: raw, as: UTF8.self)
    }

    func equals(_ bytes: [UInt8]) -> Bool {
        if let decoded { return decoded == bytes }
        return raw.elementsEqual(bytes)
    }

    static func == (left: StrictJSONKey, right: StrictJSONKey) -> Bool {
        switch (left.decoded, right.decoded) {
        case (nil, nil):
            return left.raw.count == right.raw.count && left.raw.elementsEqual(right.raw)
        case (let decoded?, nil): return right.raw.elementsEqual(decoded)
        case (nil, let decoded?): return left.raw.elementsEqual(decoded)
        case (let one?, let other?): return one == other
        }
    }

    func hash(into hasher: inout Hasher) {
        if let decoded {
            decoded.withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            hasher.combine(bytes: raw)
        }
    }
}
