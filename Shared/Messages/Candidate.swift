/// The full candidate record held by the candidate registry: the profile fields plus
/// `name` and `contact`, all at the top level of one JSON object.
///
/// Profile fields read and write through `@dynamicMemberLookup`
/// (`candidate.region`); `profile` is the same record without personal details, the
/// form that travels on `candidate.`.
@dynamicMemberLookup
public struct Candidate: Hashable, Sendable {
    /// The record without `name` and `contact`.
    public var profile: CandidateProfile
    public var name: PersonName
    public var contact: Contact

    public init(profile: CandidateProfile, name: PersonName, contact: Contact) {
        self.profile = profile
        self.name = name
        self.contact = contact
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<CandidateProfile, Value>) -> Value {
        get { profile[keyPath: keyPath] }
        set { profile[keyPath: keyPath] = newValue }
    }

    /// The payload of `contact.updated` for this candidate.
    public var contactDetails: ContactDetails {
        ContactDetails(candidateId: profile.id, name: name, contact: contact)
    }
}

extension Candidate: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, contact
    }

    public init(from decoder: any Decoder) throws {
        profile = try CandidateProfile(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(PersonName.self, forKey: .name)
        contact = try container.decode(Contact.self, forKey: .contact)
    }

    public func encode(to encoder: any Encoder) throws {
        // Both write into the same JSON object: the record is flat on the wire.
        try profile.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(contact, forKey: .contact)
    }
}

/// A person's name as they write it.
public struct PersonName: Hashable, Sendable, Codable {
    public var given: String
    public var family: String

    public init(given: String, family: String) {
        self.given = given
        self.family = family
    }
}

/// How to reach a candidate.
public struct Contact: Hashable, Sendable, Codable {
    /// E.164, e.g. `+22376123456`.
    public var phone: String?
    public var email: String?
    public var preferredChannel: PreferredChannel
    public var language: MessageLanguage

    public init(
        phone: String? = nil, email: String? = nil, preferredChannel: PreferredChannel, language: MessageLanguage
    ) {
        self.phone = phone
        self.email = email
        self.preferredChannel = preferredChannel
        self.language = language
    }
}

/// The payload of `contact.updated`: who a candidate is and how to reach them.
public struct ContactDetails: Hashable, Sendable, Codable {
    public var candidateId: String
    public var name: PersonName
    public var contact: Contact

    public init(candidateId: String, name: PersonName, contact: Contact) {
        self.candidateId = candidateId
        self.name = name
        self.contact = contact
    }
}

/// The payload of `contact.erased`: forget this candidate's name and contact details.
public struct ContactErased: Hashable, Sendable, Codable {
    public var candidateId: String

    public init(candidateId: String) {
        self.candidateId = candidateId
    }
}

/// The payload of `candidate.erased`: `{candidateId}`, nothing else about the person, so
/// that the event can stay in a publisher's history (it is the record's tombstone there).
public struct CandidateErased: Hashable, Sendable, Codable {
    public var candidateId: String

    public init(candidateId: String) {
        self.candidateId = candidateId
    }

    enum CodingKeys: String, CodingKey {
        case candidateId
        /// Builds before this one sent the whole profile; its `id` is the candidate's.
        case id
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(String.self, forKey: .candidateId) {
            candidateId = id
        } else {
            candidateId = try container.decode(String.self, forKey: .id)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(candidateId, forKey: .candidateId)
    }
}
