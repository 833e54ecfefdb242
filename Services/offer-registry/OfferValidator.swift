import CodeLists
import Foundation
import Messages
import ServiceKit

/// Checks a draft against the code lists and the rules of a lawful offer; the first fault
/// found is returned as a 422 naming its field. Nothing invalid is stored.
enum OfferValidator {
    static let closeReasons: Set<String> = ["filled", "cancelled", "fraud", "rejected", "other"]

    /// The validated offer (status, flags and version still to be set by the registry).
    static func validate(_ draft: OfferDraft, id: String) throws(APIError) -> Offer {
        try FieldCheck.text(draft.title, "title", max: 200)
        guard CodeLists.isco.isUnitGroup(draft.occupation) else {
            throw .invalid(
                "occupation",
                french: "« \(draft.occupation) » n’est pas un groupe de base CITP-08 (4 chiffres, ex. 7112)",
                english: "'\(draft.occupation)' is not an ISCO-08 unit group (4 digits, e.g. 7112)")
        }
        try FieldCheck.country(draft.country, "country")
        if draft.country == "ML" {
            throw .invalid(
                "country", french: "la destination doit être à l’étranger", english: "the destination must be abroad")
        }
        try FieldCheck.text(draft.city, "city", max: 100)
        try FieldCheck.text(draft.employer.name, "employer.name", max: 200)
        if let registration = draft.employer.registration, !registration.isEmpty {
            try FieldCheck.text(registration, "employer.registration", max: 100)
        }
        guard (1...10_000).contains(draft.positions) else {
            throw .invalid(
                "positions", french: "entre 1 et 10 000 postes", english: "between 1 and 10,000 positions")
        }
        if let end = draft.endDate, end < draft.startDate {
            throw .invalid(
                "endDate", french: "la date de fin précède la date de début (\(draft.startDate))",
                english: "the end date is before the start date (\(draft.startDate))")
        }
        if let deadline = draft.applicationDeadline, deadline > draft.startDate {
            throw .invalid(
                "applicationDeadline",
                french: "la date limite de candidature est après la date de début (\(draft.startDate))",
                english: "the application deadline is after the start date (\(draft.startDate))")
        }
        guard draft.salary.amount.isFinite, draft.salary.amount > 0, draft.salary.amount < 1e9 else {
            throw .invalid(
                "salary.amount", french: "un montant positif est attendu", english: "a positive amount is expected")
        }
        try FieldCheck.currency(draft.salary.currency, "salary.currency")
        let requirements = try requirements(draft.requirements ?? RequirementsDraft())
        guard draft.conditions.workerFees.isFinite, draft.conditions.workerFees >= 0 else {
            throw .invalid(
                "conditions.workerFees", french: "un montant positif ou nul est attendu",
                english: "zero or a positive amount is expected")
        }
        return Offer(
            id: id, title: draft.title.trimmed, occupation: draft.occupation, country: draft.country,
            city: draft.city.trimmed,
            employer: Employer(
                name: draft.employer.name.trimmed, registration: draft.employer.registration?.trimmed ?? ""),
            positions: draft.positions, contract: draft.contract, startDate: draft.startDate, endDate: draft.endDate,
            applicationDeadline: draft.applicationDeadline, salary: draft.salary, requirements: requirements,
            conditions: draft.conditions, flags: [], status: .pending)
    }

    static func requirements(_ draft: RequirementsDraft) throws(APIError) -> Requirements {
        let languages = draft.languages ?? []
        try FieldCheck.languages(languages, "requirements.languages")
        let education = draft.education ?? 0
        try FieldCheck.education(education, "requirements.education")
        let experience = draft.experienceYears ?? 0
        guard (0...50).contains(experience) else {
            throw .invalid(
                "requirements.experienceYears", french: "entre 0 et 50 ans", english: "between 0 and 50 years")
        }
        let skills = draft.skills ?? []
        try FieldCheck.list(skills, "requirements.skills", maxItems: 30, maxLength: 100)
        let licences = draft.drivingLicences ?? []
        try FieldCheck.drivingLicences(licences, "requirements.drivingLicences")
        return Requirements(
            languages: languages, education: education, experienceYears: experience,
            skills: skills.map(\.trimmed), drivingLicences: licences)
    }
}
