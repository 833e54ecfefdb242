import Messages

/// Hides who a candidate is and how to reach them in what bus-tap prints and records.
///
/// Fields masked at any depth of a payload: `given`, `family`, `phone`, `email`, and `name`
/// when it is a person's (a string anywhere but under `employer`, whose name is a company's
/// and public). A name keeps the first letter of each word (`A*** T***`), a phone its
/// country code and last two digits (`+223******56`), an e-mail its first letter (`a***@***`).
/// Any other string has the phone numbers (`+` and 8 to 15 digits) and e-mail addresses it
/// contains masked the same way.
///
/// Only the candidate registry and the notifier may read `contact.` (DESIGN.md, "Security");
/// a tap is a screen and a terminal's scrollback, so it shows contact details only to an
/// identity the ACL lets read them, or when told `--unmask` on a bus without keys.
struct PersonalDataMask: Sendable {
    /// False: everything is shown as received.
    let enabled: Bool

    static let nameFields: Set<String> = ["given", "family", "name"]
    static let phoneFields: Set<String> = ["phone"]
    static let emailFields: Set<String> = ["email"]

    /// The payload with personal fields masked.
    func payload(_ value: JSONValue) -> JSONValue {
        enabled ? Self.mask(value, parent: nil) : value
    }

    /// The envelope bytes with personal fields of the payload masked: the bytes as received
    /// when there is nothing to mask, else the envelope re-encoded in canonical form.
    func envelope(_ bytes: [UInt8]) -> [UInt8] {
        guard enabled, let object = try? CanonicalJSON.decode(JSONValue.self, from: bytes),
            case .object(var fields) = object, let payload = fields["payload"]
        else { return bytes }
        let masked = Self.mask(payload, parent: nil)
        guard masked != payload else { return bytes }
        fields["payload"] = masked
        return (try? CanonicalJSON.encode(JSONValue.object(fields))) ?? bytes
    }

    private static func mask(_ value: JSONValue, parent: String?) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = mask(member, key: key, parent: parent) ?? mask(member, parent: key)
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.map { mask($0, parent: parent) })
        case .string(let text):
            return .string(maskEmbedded(text))
        default:
            return value
        }
    }

    /// Phone numbers (E.164) and e-mail addresses inside any other string, e.g. a note or a
    /// reason that should not have carried them, or a field named otherwise (`mobile`).
    static func maskEmbedded(_ text: String) -> String {
        guard text.contains("+") || text.contains("@") else { return text }
        return text.replacing(/\+[0-9]{8,15}/) { maskPhone(String($0.output)) }
            .replacing(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/) { maskEmail(String($0.output)) }
    }

    /// The masked value of a personal string field, or nil when `key` is not one.
    private static func mask(_ value: JSONValue, key: String, parent: String?) -> JSONValue? {
        guard case .string(let text) = value else { return nil }
        if nameFields.contains(key), !(key == "name" && parent == "employer") { return .string(maskName(text)) }
        if phoneFields.contains(key) { return .string(maskPhone(text)) }
        if emailFields.contains(key) { return .string(maskEmail(text)) }
        return nil
    }

    /// `Aminata Traoré` → `A*** T***`.
    static func maskName(_ text: String) -> String {
        text.split(separator: " ").map { word in (word.first.map(String.init) ?? "") + "***" }.joined(separator: " ")
    }

    /// `+22376123456` → `+223******56`: the country code and the last two digits.
    static func maskPhone(_ text: String) -> String {
        let characters = Array(text)
        guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
        let kept = characters.first == "+" ? 4 : 0
        return String(characters.prefix(kept)) + String(repeating: "*", count: characters.count - kept - 2)
            + String(characters.suffix(2))
    }

    /// `aminata@example.org` → `a***@***`.
    static func maskEmail(_ text: String) -> String {
        (text.first.map(String.init) ?? "") + "***@***"
    }
}
