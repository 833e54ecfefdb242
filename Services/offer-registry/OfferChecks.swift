import Foundation
import GRDB
import Messages
import ServiceKit

/// A check run on every offer before it opens: a signal of fraud or of an unlawful offer.
/// A flagged offer waits for an officer (`POST /offers/{id}/approve`) unless review is off.
///
/// Checks are plugins chosen by name in config (`offers.checks`); add one by conforming to
/// this protocol and listing it in `OfferChecks.available`.
protocol OfferCheck: Sendable {
    /// The name in config, and the flag an offer carries when the check finds something.
    var name: String { get }
    /// The flag to set on `offer`, or nil when it passes. A flag may add detail after a
    /// colon (`duplicate:<id of the open offer>`).
    func flag(_ offer: Offer, _ context: OfferCheckContext) throws -> String?
}

/// What a check may consult: the registry's own store (read inside the write transaction)
/// and today's date.
struct OfferCheckContext {
    let db: Database
    let today: LocalDate
}

enum OfferChecks {
    /// Every check this build has, by name.
    static let available: [String: any OfferCheck] = Dictionary(
        uniqueKeysWithValues: ([WorkerFees(), DeadlinePassed(), Duplicate(), EmployerRegistration()] as [any OfferCheck])
            .map { ($0.name, $0) })

    /// The checks named in config (comma-separated), or all of them; an unknown name is an error.
    static func named(_ list: String?) throws(SettingsError) -> [any OfferCheck] {
        guard let list, !list.trimmingCharacters(in: .whitespaces).isEmpty else {
            return available.keys.sorted().compactMap { available[$0] }
        }
        var checks: [any OfferCheck] = []
        for name in list.split(separator: ",") {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let check = available[name] else {
                throw SettingsError.invalid(
                    key: "offers.checks",
                    reason: "unknown check '\(name)'; known: \(available.keys.sorted().joined(separator: ", "))")
            }
            checks.append(check)
        }
        return checks
    }
}

/// ILO Convention 181, art. 7: private employment agencies charge workers no fees or costs.
struct WorkerFees: OfferCheck {
    let name = "worker-fees"
    func flag(_ offer: Offer, _ context: OfferCheckContext) -> String? {
        offer.conditions.workerFees > 0 ? name : nil
    }
}

/// The application deadline is already past: nobody can apply.
struct DeadlinePassed: OfferCheck {
    let name = "deadline-passed"
    func flag(_ offer: Offer, _ context: OfferCheckContext) -> String? {
        guard let deadline = offer.applicationDeadline, deadline < context.today else { return nil }
        return name
    }
}

/// The same employer already has an open offer for this occupation and country over
/// overlapping dates: a copy, or an attempt to recruit twice for the same posts.
struct Duplicate: OfferCheck {
    let name = "duplicate"
    func flag(_ offer: Offer, _ context: OfferCheckContext) throws -> String? {
        let end = offer.endDate?.description ?? "9999-12-31"
        for other in try OfferStore.openOffers(like: offer, context.db) {
            // ISO dates compare as strings.
            if offer.startDate.description <= other.end && other.start <= end { return "\(name):\(other.id)" }
        }
        return nil
    }
}

/// The employer gives no registration number to verify it by.
struct EmployerRegistration: OfferCheck {
    let name = "employer-registration"
    func flag(_ offer: Offer, _ context: OfferCheckContext) -> String? {
        offer.employer.registration.trimmingCharacters(in: .whitespaces).isEmpty ? name : nil
    }
}
