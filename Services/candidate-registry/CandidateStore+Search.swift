import Foundation
import GRDB
import Messages
import ServiceKit

/// What `GET /candidates` searches: each candidate's phone as E.164 (`phone_key`, indexed),
/// name (`name_key`, folded, family name first: the listing's order), birth year, and the
/// folded words of the name in `candidate_name_words`, whose primary key makes a word prefix
/// a range scan. No FTS5: SQLite 3.40 (Debian 12) has no `secure-delete` for it, and an
/// erased name would stay in the full-text index.
extension CandidateStore {
    static func createSearchIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE candidates ADD COLUMN phone_key TEXT;
                ALTER TABLE candidates ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
                ALTER TABLE candidates ADD COLUMN birth_year INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX candidates_phone_key ON candidates (phone_key);
                CREATE TABLE candidate_name_words (
                    word TEXT NOT NULL,
                    candidate TEXT NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
                    PRIMARY KEY (word, candidate)
                ) WITHOUT ROWID;
                CREATE INDEX candidate_name_words_candidate ON candidate_name_words (candidate);
                """)
        // The candidates registered before: their keys from their stored records.
        for id in try String.fetchAll(db, sql: "SELECT id FROM candidates") {
            guard let candidate = try find(id, db) else { continue }
            try db.execute(
                sql: "UPDATE candidates SET phone_key = ?, name_key = ?, birth_year = ? WHERE id = ?",
                arguments: searchColumns(candidate) + [id])
            try indexNameWords(candidate, db)
        }
    }

    /// `phone_key`, `name_key`, `birth_year`.
    static func searchColumns(_ candidate: Candidate) -> StatementArguments {
        [
            candidate.contact.phone.flatMap(PhoneKey.normalised), NameKey.sortKey(candidate.name),
            candidate.profile.birthYear,
        ]
    }

    /// Replaces the candidate's name words (they leave with the row on erasure: ON DELETE CASCADE).
    static func indexNameWords(_ candidate: Candidate, _ db: Database) throws {
        let id = candidate.profile.id
        try db.execute(sql: "DELETE FROM candidate_name_words WHERE candidate = ?", arguments: [id])
        for word in NameKey.searchWords(candidate.name).sorted() {
            try db.execute(
                sql: "INSERT INTO candidate_name_words (word, candidate) VALUES (?, ?)", arguments: [word, id])
        }
    }

    /// One page of candidates found, and how many were found in all.
    static func search(_ search: CandidateSearch, _ db: Database) throws -> (candidates: [Candidate], total: Int) {
        let condition: String
        var arguments: StatementArguments = []
        switch search.criterion {
        case .ids(let ids):
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            let existing = Set(
                try String.fetchAll(
                    db, sql: "SELECT id FROM candidates WHERE id IN (\(placeholders))",
                    arguments: StatementArguments(ids)))
            let found = ids.filter(existing.contains)
            let page = try found.dropFirst(search.offset).prefix(search.limit).compactMap { id in try find(id, db) }
            return (page, found.count)
        case .phone(let key):
            condition = "phone_key = ?"
            arguments = [key]
        case .name(let words, let birthYear):
            // A word's prefix is a range of the primary key: 'trao' ≤ word < 'trao' + the last code point.
            let ranges = Array(
                repeating: "SELECT candidate FROM candidate_name_words WHERE word >= ? AND word < ?",
                count: words.count)
            var clause = "id IN (\(ranges.joined(separator: " INTERSECT ")))"
            for word in words { arguments += [word, word + "\u{10FFFF}"] }
            if let birthYear {
                clause += " AND birth_year = ?"
                arguments += [birthYear]
            }
            condition = clause
        }
        let total = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM candidates WHERE \(condition)", arguments: arguments)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT profile, name, contact FROM candidates WHERE \(condition)
                ORDER BY name_key, id LIMIT ? OFFSET ?
                """,
            arguments: arguments + [search.limit, search.offset])
        return (try rows.map(candidate), total ?? 0)
    }
}
