import Foundation
import GRDB
import Matching
import Messages

/// The second alternative: the candidates in normalised SQLite tables with indexes, and the
/// query a developer would write to compute the same score and ranking in SQL.
struct SQLiteAlternative {
    let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE cand (
                        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, registered_at INTEGER NOT NULL,
                        education INTEGER NOT NULL, experience INTEGER NOT NULL, available_from INTEGER NOT NULL,
                        licences INTEGER NOT NULL, anywhere INTEGER NOT NULL);
                    CREATE TABLE cand_occ (cand INTEGER NOT NULL, unit INTEGER NOT NULL, minor INTEGER NOT NULL,
                        submajor INTEGER NOT NULL);
                    CREATE TABLE cand_lang (cand INTEGER NOT NULL, code TEXT NOT NULL, level INTEGER NOT NULL,
                        PRIMARY KEY (cand, code)) WITHOUT ROWID;
                    CREATE TABLE cand_dest (cand INTEGER NOT NULL, country TEXT NOT NULL,
                        PRIMARY KEY (cand, country)) WITHOUT ROWID;
                    CREATE TABLE cand_skill (cand INTEGER NOT NULL, skill TEXT NOT NULL,
                        PRIMARY KEY (cand, skill)) WITHOUT ROWID;
                    """)
        }
    }

    func load(_ profiles: [CandidateProfile]) throws {
        try queue.write { db in
            for (index, profile) in profiles.enumerated() {
                let row = Int64(index + 1)
                let features = CandidateFeatures(profile)
                try db.cachedStatement(sql: "INSERT INTO cand VALUES (?, ?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
                    row, profile.id, features.registeredAt, profile.education, profile.experienceYears,
                    features.availableFrom, Int64(features.licences), profile.destinations.isEmpty ? 1 : 0,
                ])
                for code in Set(features.occupations) {
                    try db.cachedStatement(sql: "INSERT INTO cand_occ VALUES (?, ?, ?, ?)").execute(arguments: [
                        row, code, code / 10, code / 100,
                    ])
                }
                for language in profile.languages {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO cand_lang VALUES (?, ?, ?)").execute(
                        arguments: [
                            row, language.code, language.level.rank,
                        ])
                }
                for country in Set(profile.destinations) {
                    try db.cachedStatement(sql: "INSERT INTO cand_dest VALUES (?, ?)").execute(arguments: [
                        row, country,
                    ])
                }
                for skill in features.skills {
                    try db.cachedStatement(sql: "INSERT INTO cand_skill VALUES (?, ?)").execute(arguments: [
                        row, Codes.skillName(skill),
                    ])
                }
            }
            try db.execute(
                sql: """
                    CREATE INDEX cand_occ_submajor ON cand_occ (submajor, cand, unit, minor);
                    CREATE INDEX cand_available ON cand (available_from);
                    ANALYZE;
                    """)
        }
    }

    /// The best `limit` candidates for `offer`, computed by one SQL query.
    func match(_ offer: Offer, limit: Int, threshold: Double) throws -> [Ranked] {
        let features = OfferFeatures(offer)
        var languageArguments: [any DatabaseValueConvertible] = []
        var skillArguments: [any DatabaseValueConvertible] = []
        let languages = offer.requirements.languages
        var languageTerms: [String] = []
        for language in languages {
            languageTerms.append(
                """
                COALESCE((SELECT CASE WHEN l.level >= ? THEN 1.0 WHEN l.level = ? - 1 THEN 0.5 ELSE 0 END
                          FROM cand_lang l WHERE l.cand = c.rowid AND l.code = ?), 0)
                """)
            languageArguments += [language.level.rank, language.level.rank, language.code]
        }
        let languageScore =
            languages.isEmpty ? "1.0" : "((\(languageTerms.joined(separator: " + "))) / \(languages.count).0)"
        let skills = features.skills.map(Codes.skillName)
        let skillScore: String
        if features.skills.isEmpty {
            skillScore = "1.0"
        } else {
            // The same share as the rule: required skills (with repeats) the candidate holds.
            skillScore =
                "((SELECT COUNT(*) FROM cand_skill s WHERE s.cand = c.rowid AND s.skill IN ("
                + skills.map { _ in "?" }.joined(separator: ", ") + ")) * 1.0 / \(features.skills.count))"
            skillArguments += skills
        }
        let experience = offer.requirements.experienceYears
        let education = offer.requirements.education
        let sql = """
            SELECT c.id AS id, c.registered_at AS registered_at, ROUND(100.0 * (
                40 * MAX(CASE WHEN o.unit = ? THEN 1.0 WHEN o.minor = ? THEN 0.7 ELSE 0.4 END)
              + 15 * \(languageScore)
              + 10 * (CASE WHEN ? = 0 OR c.experience >= ? THEN 1.0 ELSE c.experience * 1.0 / ? END)
              + 10 * (CASE WHEN c.education >= ? THEN 1.0 WHEN c.education = ? - 1 THEN 0.5 ELSE 0 END)
              + 10 * \(skillScore)
              + 5
              + 5 * (CASE WHEN c.available_from <= ? THEN 1.0 ELSE 0.5 END)
              + 5) / 100.0, 2) AS score
            FROM cand_occ o JOIN cand c ON c.rowid = o.cand
            WHERE o.submajor = ?
              AND (c.anywhere = 1 OR EXISTS (SELECT 1 FROM cand_dest d WHERE d.cand = c.rowid AND d.country = ?))
              AND c.available_from <= ? + 30
              AND (c.licences & ?) = ?
            GROUP BY c.rowid
            HAVING score >= ?
            ORDER BY score DESC, c.registered_at, c.id
            LIMIT ?
            """
        // In the order of the placeholders: occupation, languages, experience, education, skills,
        // availability, then the WHERE clause, HAVING and LIMIT.
        let all: [any DatabaseValueConvertible] =
            [features.occupation, features.occupation / 10] + languageArguments
            + [experience, experience, max(1, experience), education, education] + skillArguments
            + [features.startDate, features.occupation / 100, offer.country, features.startDate]
            + [Int64(features.licences), Int64(features.licences), threshold, limit]
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(all)).map { row in
                Ranked(candidateId: row["id"], score: row["score"], registeredAt: row["registered_at"])
            }
        }
    }
}
