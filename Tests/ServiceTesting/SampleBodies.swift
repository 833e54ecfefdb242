import Messages

// Request bodies as agencies and officers send them, shared by the in-process tests of each
// service and the end-to-end tests.

/// A valid offer as an agency would post it; tests change one field at a time.
public func sampleOffer(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
    var offer: JSONValue = .object([
        "title": "Ouvrier agricole saisonnier", "occupation": "9211", "country": "ES", "city": "Huelva",
        "employer": ["name": "Fresas del Sur SL", "registration": "B21000001"], "positions": 40,
        "contract": "seasonal", "startDate": "2027-03-01", "endDate": "2027-06-30",
        "applicationDeadline": "2027-01-15",
        "salary": ["amount": 1260, "currency": "EUR", "period": "month"],
        "requirements": ["languages": [["code": "es", "level": "A1"]], "experienceYears": 1],
        "conditions": ["housing": true, "travelPaid": true, "workerFees": 0],
    ])
    for (path, value) in changes { offer = offer.setting(path.split(separator: ".").map(String.init), value) }
    return offer
}

extension JSONValue {
    /// This object with the field at `path` replaced, or removed when `value` is nil.
    public func setting(_ path: [String], _ value: JSONValue?) -> JSONValue {
        guard case .object(var members) = self, let key = path.first else { return self }
        if path.count == 1 {
            members[key] = value
        } else {
            members[key] = (members[key] ?? .object([:])).setting(Array(path.dropFirst()), value)
        }
        return .object(members)
    }
}

/// A valid candidate as an officer would register one; tests change one field at a time.
public func sampleCandidate(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
    var candidate: JSONValue = [
        "name": ["given": "Aminata", "family": "Zerbokoulibaly"], "gender": "F", "birthYear": 1995,
        "region": "ML-3", "residence": "ML",
        "contact": ["phone": "+22376999888", "preferredChannel": "sms", "language": "fr"],
        "occupations": ["9211", "6111"], "experienceYears": 4, "education": 2,
        "languages": [["code": "fr", "level": "B1"], ["code": "bm", "level": "C2"]],
        "destinations": ["ES", "FR"], "availableFrom": "2027-01-01",
        "consent": ["matching": true, "notifications": true, "statistics": true],
    ]
    for (path, value) in changes { candidate = candidate.setting(path.split(separator: ".").map(String.init), value) }
    return candidate
}
