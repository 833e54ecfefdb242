import Foundation
import GRDB
import Logging
import Matching
import Messages
import ServiceKit
import Synchronization

/// How many candidates an offer keeps: `keepPerPosition` × positions, at most `maxPerOffer`.
struct KeepPolicy: Sendable {
    var keepPerPosition = 3
    var maxPerOffer = 1_000

    func limit(_ offer: OfferFeatures) -> Int { min(maxPerOffer, max(1, offer.positions) * keepPerPosition) }
}

/// The matcher's state: the index, the matches each open offer keeps, and the rules that
/// turn events into `match.found` and `match.withdrawn`. Every change happens inside the
/// inbox's write transaction (the handler), so the matches stored, the events in the outbox
/// and the applied seq commit together. The state (the index is a class) lives in a `Mutex`.
final class Matcher: Sendable {
    private struct State {
        let index: MatchIndex
        /// Per open offer, the candidates it keeps, by id.
        var kept: [String: [String: Ranked]] = [:]
        /// Per candidate, the offers that keep it.
        var keptBy: [String: Set<String>] = [:]
        var erasedSinceCheckpoint = false
    }

    private let current: Mutex<State>
    let outbox: Outbox
    let policy: KeepPolicy
    let logger: Logger
    /// Where `/health` shows the index's size ("index" check).
    let health: HealthChecks?

    init(rules: RuleSet, outbox: Outbox, policy: KeepPolicy, logger: Logger, health: HealthChecks? = nil) {
        self.health = health
        current = Mutex(State(index: MatchIndex(rules: rules)))
        self.outbox = outbox
        self.policy = policy
        self.logger = logger
    }

    /// Rebuilds the index and the kept matches from the store; returns what it loaded.
    func rebuild(_ db: Database) throws -> (offers: Int, candidates: Int, matches: Int) {
        let loaded = try MatcherStore.load(db)
        return withState { state in
            state.index.load(loaded.candidates.map(CandidateFeatures.init))
            for offer in loaded.offers { state.index.upsert(OfferFeatures(offer)) }
            for match in loaded.matches {
                state.kept[match.offerId, default: [:]][match.ranked.candidateId] = match.ranked
                state.keptBy[match.ranked.candidateId, default: []].insert(match.offerId)
            }
            return (loaded.offers.count, loaded.candidates.count, loaded.matches.count)
        }
    }

    private func withState<T: Sendable, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        try current.withLock { (state: inout State) throws(E) -> T in try body(&state) }
    }

    var candidateCount: Int { withState { $0.index.candidateCount } }
    var offerCount: Int { withState { $0.index.offers.count } }

    /// Whether an erasure happened since the last call: redactions may be waiting.
    func takeErasureFlag() -> Bool {
        withState { state in
            defer { state.erasedSinceCheckpoint = false }
            return state.erasedSinceCheckpoint
        }
    }

    // MARK: Events

    /// The inbox handler: applies one offer or candidate event.
    func apply(_ envelope: Envelope, _ db: Database) throws {
        try withState { state in
            switch envelope.payload {
            case .offerPublished(let offer), .offerUpdated(let offer):
                if offer.status == .open {
                    try MatcherStore.saveOffer(offer, db)
                    state.index.upsert(OfferFeatures(offer))
                    try refresh(offer.id, &state, db, reason: Reason.offerChanged)
                } else {
                    try closeOffer(offer.id, &state, db, reason: Reason.offerNotOpen)
                }
            case .offerClosed(let offer):
                try closeOffer(offer.id, &state, db, reason: Reason.offerClosed)
            case .candidateRegistered(let profile), .candidateUpdated(let profile):
                if profile.consent.matching {
                    try MatcherStore.saveCandidate(profile, db)
                    try candidateChanged(profile, &state, db)
                } else {
                    try removeCandidate(profile.id, &state, db, reason: Reason.withdrawn)
                }
            case .candidateWithdrawn(let profile):
                try removeCandidate(profile.id, &state, db, reason: Reason.withdrawn)
            case .candidateErased(let erased):
                // match.withdrawn for each of the person's matches, then, once the relay has
                // published them, the person's rows leave the outbox (ErasureRedaction).
                try removeCandidate(erased.candidateId, &state, db, reason: Reason.erased)
                try MatcherStore.erase(erased.candidateId, db)
                state.erasedSinceCheckpoint = true
            default:
                break  // other events of these streams: nothing to match
            }
            health?.report(
                "index", .ok, "\(state.index.candidateCount) candidates, \(state.index.offers.count) open offers")
        }
    }

    /// A redacted match event: the same offer and kind, without the person.
    static func redacted(_ event: Event) -> Event {
        switch event {
        case .matchFound(let match):
            .matchFound(Match(offerId: match.offerId, candidateId: "effacé-erased", score: 0, breakdown: []))
        case .matchWithdrawn(let match):
            .matchWithdrawn(Match(offerId: match.offerId, candidateId: "effacé-erased", score: 0, breakdown: []))
        default:
            event
        }
    }

    enum Reason {
        static let outranked = "d’autres candidats correspondent mieux / other candidates fit better"
        static let profileChanged = "le profil ne correspond plus / the profile no longer fits"
        static let offerChanged = "l’offre a changé / the offer changed"
        static let offerNotOpen = "l’offre n’est plus ouverte / the offer is no longer open"
        static let offerClosed = "l’offre est fermée / the offer is closed"
        static let withdrawn = "le candidat a retiré son consentement / the candidate withdrew consent"
        static let erased = "le candidat a demandé l’effacement / the candidate asked for erasure"
    }

    // MARK: Offers

    /// Recomputes an offer's best candidates and publishes the difference.
    private func refresh(_ offerId: String, _ state: inout State, _ db: Database, reason: String) throws {
        guard let offer = state.index.offers[offerId] else { return }
        let best = state.index.match(offer, limit: policy.limit(offer))
        let before = state.kept[offerId] ?? [:]
        var after: [String: Ranked] = [:]
        for ranked in best { after[ranked.candidateId] = ranked }
        for (candidateId, _) in before where after[candidateId] == nil {
            try withdraw(offer, candidateId, &state, db, reason: reason)
        }
        for ranked in best {
            if let previous = before[ranked.candidateId], previous.score == ranked.score { continue }
            try keep(offer, ranked, &state, db, announce: before[ranked.candidateId] == nil)
        }
    }

    private func closeOffer(_ offerId: String, _ state: inout State, _ db: Database, reason: String) throws {
        if let offer = state.index.offers[offerId] {
            for candidateId in (state.kept[offerId] ?? [:]).keys.sorted() {
                try withdraw(offer, candidateId, &state, db, reason: reason)
            }
        }
        state.kept[offerId] = nil
        state.index.removeOffer(offerId)
        try MatcherStore.deleteOffer(offerId, db)
    }

    // MARK: Candidates

    /// A new or changed candidate: offers it now fits keep it if it ranks among their best;
    /// offers it no longer fits let it go and take the next best.
    private func candidateChanged(_ profile: CandidateProfile, _ state: inout State, _ db: Database) throws {
        let features = CandidateFeatures(profile)
        state.index.upsert(features)
        let fits = state.index.offers(for: features)
        let fitting = Set(fits.map(\.offerId))
        for offerId in (state.keptBy[profile.id] ?? []).sorted() where !fitting.contains(offerId) {
            guard let offer = state.index.offers[offerId] else { continue }
            try withdraw(offer, profile.id, &state, db, reason: Reason.profileChanged)
            try refresh(offerId, &state, db, reason: Reason.outranked)
        }
        for (offerId, score) in fits {
            guard let offer = state.index.offers[offerId] else { continue }
            let ranked = Ranked(candidateId: profile.id, score: score, registeredAt: features.registeredAt)
            let kept = state.kept[offerId] ?? [:]
            if let previous = kept[profile.id] {
                if previous.score == score { continue }
                if score < previous.score {
                    // Lower than before: someone outside may now rank above; recompute the offer.
                    try refresh(offerId, &state, db, reason: Reason.outranked)
                } else {
                    try keep(offer, ranked, &state, db, announce: false)
                }
                continue
            }
            let limit = policy.limit(offer)
            if kept.count < limit {
                try keep(offer, ranked, &state, db, announce: true)
            } else if let worst = kept.values.min(by: { Ranked.ranksBefore($1, $0) }), Ranked.ranksBefore(ranked, worst)
            {
                try withdraw(offer, worst.candidateId, &state, db, reason: Reason.outranked)
                try keep(offer, ranked, &state, db, announce: true)
            }
        }
    }

    private func removeCandidate(_ id: String, _ state: inout State, _ db: Database, reason: String) throws {
        let offers = (state.keptBy[id] ?? []).sorted()
        state.index.remove(id)
        try MatcherStore.deleteCandidate(id, db)
        for offerId in offers {
            guard let offer = state.index.offers[offerId] else { continue }
            try withdraw(offer, id, &state, db, reason: reason)
            try refresh(offerId, &state, db, reason: Reason.outranked)
        }
        state.keptBy[id] = nil
    }

    // MARK: Keeping and letting go

    private func keep(
        _ offer: OfferFeatures, _ ranked: Ranked, _ state: inout State, _ db: Database, announce: Bool
    )
        throws
    {
        guard let candidate = state.index.candidate(ranked.candidateId) else { return }
        let match = Match(
            offerId: offer.id, candidateId: ranked.candidateId, score: ranked.score,
            breakdown: state.index.rules.breakdown(offer, candidate))
        try MatcherStore.saveMatch(match, registeredAt: ranked.registeredAt, db)
        state.kept[offer.id, default: [:]][ranked.candidateId] = ranked
        state.keptBy[ranked.candidateId, default: []].insert(offer.id)
        if announce {
            let envelope = try outbox.append(.matchFound(match), in: db)
            try MatcherStore.rememberMatchRow(ranked.candidateId, seq: envelope.seq, db)
        }
    }

    private func withdraw(
        _ offer: OfferFeatures, _ candidateId: String, _ state: inout State, _ db: Database, reason: String
    ) throws {
        guard let ranked = state.kept[offer.id]?.removeValue(forKey: candidateId) else { return }
        state.keptBy[candidateId]?.remove(offer.id)
        if state.keptBy[candidateId]?.isEmpty == true { state.keptBy[candidateId] = nil }
        try MatcherStore.deleteMatch(offer: offer.id, candidate: candidateId, db)
        let envelope = try outbox.append(
            .matchWithdrawn(
                Match(offerId: offer.id, candidateId: candidateId, score: ranked.score, breakdown: [], reason: reason)),
            in: db)
        try MatcherStore.rememberMatchRow(candidateId, seq: envelope.seq, db)
    }
}
