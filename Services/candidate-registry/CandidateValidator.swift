import CodeLists
import Foundation
import Messages
import ServiceKit

/// Checks a candidate against the code lists and the registry's rules; the first fault is
/// returned as a 422 naming its field. Nothing invalid is stored.
enum CandidateValidator {
    /// The validated candidate; `registeredAt` and `consent.givenAt` are the caller's.
    static func validate(_ draft: CandidateDraft, id: String, now: Timestamp) throws(APIError) -> Candidate {
        try FieldCheck.text(draft.name.given, "name.given", max: 100)
        try FieldCheck.text(draft.name.family, "name.family", max: 100)
        let year = LocalDate(now).year
        guard draft.birthYear <= year - 18 else {
            throw .invalid(
                "birthYear", french: "le candidat doit être majeur (né en \(year - 18) ou avant)",
                english: "the candidate must be an adult (born in \(year - 18) or before)")
        }
        guard draft.birthYear >= year - 100 else {
            throw .invalid(
                "birthYear", french: "année de naissance invraisemblable", english: "implausible birth year")
        }
        guard CodeLists.maliRegions.contains(draft.region) else {
            throw .invalid(
                "region",
                french: "« \(draft.region) » n’est pas une région du Mali (ex. ML-BKO, ML-1 … ML-10, ML-KITA)",
                english: "'\(draft.region)' is not a region of Mali (e.g. ML-BKO, ML-1 … ML-10, ML-KITA)")
        }
        try FieldCheck.country(draft.residence, "residence")
        // A number typed the local way (76 12 34 56, 00223…) is stored as E.164 (+22376123456).
        var reachable = draft.contact
        if let phone = reachable.phone, let e164 = PhoneKey.normalised(phone) { reachable.phone = e164 }
        try contact(reachable)
        guard (1...5).contains(draft.occupations.count) else {
            throw .invalid("occupations", french: "1 à 5 métiers", english: "1 to 5 occupations")
        }
        for (index, code) in draft.occupations.enumerated() {
            guard CodeLists.isco.isUnitGroup(code) else {
                throw .invalid(
                    "occupations[\(index)]",
                    french: "« \(code) » n’est pas un groupe de base CITP-08 (4 chiffres, ex. 7112)",
                    english: "'\(code)' is not an ISCO-08 unit group (4 digits, e.g. 7112)")
            }
            if draft.occupations[..<index].contains(code) {
                throw .invalid("occupations[\(index)]", french: "métier en double", english: "occupation given twice")
            }
        }
        guard (0...60).contains(draft.experienceYears) else {
            throw .invalid("experienceYears", french: "entre 0 et 60 ans", english: "between 0 and 60 years")
        }
        try FieldCheck.education(draft.education, "education")
        try FieldCheck.languages(draft.languages, "languages")
        let skills = draft.skills ?? []
        try FieldCheck.list(skills, "skills", maxItems: 30, maxLength: 100)
        let licences = draft.drivingLicences ?? []
        try FieldCheck.drivingLicences(licences, "drivingLicences")
        let destinations = draft.destinations ?? []
        guard destinations.count <= 30 else {
            throw .invalid("destinations", french: "30 pays au plus", english: "at most 30 countries")
        }
        for (index, country) in destinations.enumerated() {
            try FieldCheck.country(country, "destinations[\(index)]")
            if country == "ML" {
                throw .invalid(
                    "destinations[\(index)]", french: "une destination est à l’étranger",
                    english: "a destination is abroad")
            }
        }
        let profile = CandidateProfile(
            id: id, gender: draft.gender, birthYear: draft.birthYear, region: draft.region,
            residence: draft.residence, occupations: draft.occupations, experienceYears: draft.experienceYears,
            education: draft.education, languages: draft.languages, skills: skills.map(\.trimmed),
            drivingLicences: licences, destinations: destinations, availableFrom: draft.availableFrom,
            consent: Consent(
                matching: draft.consent.matching, notifications: draft.consent.notifications,
                statistics: draft.consent.statistics, givenAt: now),
            registeredAt: now)
        return Candidate(
            profile: profile, name: PersonName(given: draft.name.given.trimmed, family: draft.name.family.trimmed),
            contact: reachable)
    }

    static func contact(_ contact: Contact) throws(APIError) {
        if let phone = contact.phone, !E164.isValid(phone) {
            throw .invalid(
                "contact.phone", french: "numéro au format E.164 attendu (ex. +22376123456)",
                english: "expected an E.164 number (e.g. +22376123456)")
        }
        if let email = contact.email, !isPlausibleEmail(email) {
            throw .invalid(
                "contact.email", french: "adresse électronique invalide", english: "invalid e-mail address")
        }
        switch contact.preferredChannel {
        case .sms where contact.phone == nil:
            throw .invalid(
                "contact.phone", french: "obligatoire quand le canal préféré est sms",
                english: "required when the preferred channel is sms")
        case .email where contact.email == nil:
            throw .invalid(
                "contact.email", french: "obligatoire quand le canal préféré est email",
                english: "required when the preferred channel is email")
        default:
            break
        }
    }

    /// One `@`, something before it, a dot in the domain, no spaces, at most 254 characters.
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace)
        else { return false }
        return true
    }
}
