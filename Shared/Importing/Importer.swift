import Crypto
import Foundation
import Messages

/// Counts of what an import did with its rows.
package struct ImportTally: Sendable, Hashable {
    package var created = 0
    package var alreadyPresent = 0
    /// Refused: by us before any request, or by the registry (4xx).
    package var rejected = 0
    /// Not sent after retries: the registry was down or failing (5xx).
    package var failed = 0

    package init(created: Int = 0, alreadyPresent: Int = 0, rejected: Int = 0, failed: Int = 0) {
        self.created = created
        self.alreadyPresent = alreadyPresent
        self.rejected = rejected
        self.failed = failed
    }

    package var done: Int { created + alreadyPresent + rejected + failed }
    /// Exit status of the command: 0 when every row is in the registry, 1 otherwise.
    package var exitStatus: Int32 { rejected + failed == 0 ? 0 : 1 }
}

/// Where rejected and failed rows go: the rejects file, or the terminal for `demo`.
package protocol RejectSink {
    mutating func record(_ row: SourceRow, _ problem: RowProblem) throws(ImportError)
}

/// Sends the rows of a source to a registry, at most `concurrency` requests in flight, while
/// the next rows are read: memory holds only the rows in flight.
package struct Importer {
    package let kind: RecordKind
    package let sender: any RecordSender
    package let concurrency: Int
    /// Named in the error when the registry never answers.
    package var registryURL = ""
    /// Called after each row with the counts so far (the progress bar).
    package var onProgress: (ImportTally) -> Void = { _ in }

    package init(kind: RecordKind, sender: any RecordSender, concurrency: Int) {
        self.kind = kind
        self.sender = sender
        self.concurrency = concurrency
    }

    /// The idempotency key of an imported row: equal rows (as canonical JSON) get equal keys,
    /// so importing a file again creates nothing new.
    package static func idempotencyKey(kind: RecordKind, body: [UInt8]) -> String {
        let digest = SHA256.hash(data: body)
        return "import-\(kind.rawValue)-" + digest.map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
    }

    private static let hexDigits = (0..<16).map { String($0, radix: 16) }

    /// Imports every row; throws only what stops the whole import: unreadable input, a
    /// registry that never answered or stopped answering, credentials it refuses.
    package func run(
        _ source: inout some RowSource, rejects: inout some RejectSink
    ) async throws(ImportError) -> ImportTally {
        var tally = ImportTally()
        var fatal: ImportError?
        var registryAnswered = false
        // Once the registry has gone away, rows without an answer are not rejects: they were
        // never tried, and an import resumed from the first of them sends them again.
        var lost: (reason: String, lines: [Int])?
        let kind = self.kind
        let sender = self.sender
        let registryURL = self.registryURL

        func settle(_ row: SourceRow, _ outcome: PostOutcome, fromRegistry: Bool = true) {
            switch outcome {
            case .created: tally.created += 1
            case .alreadyPresent: tally.alreadyPresent += 1
            case .refused(let status, let problem):
                fatal = fatal ?? .notAuthorized(url: registryURL, status: status, message: problem.message)
                return
            case .failed where lost != nil:
                lost?.lines.append(row.line)
                return
            case .failed(let problem) where problem.code == "unreachable":
                let reason = problem.message.replacingOccurrences(of: HTTPRecordSender.unreachablePrefix, with: "")
                if registryAnswered {
                    lost = (reason, [row.line])
                } else {
                    fatal = fatal ?? .registryUnreachable(url: registryURL, reason: reason)
                }
                return
            case .rejected(let problem), .failed(let problem):
                if case .failed = outcome { tally.failed += 1 } else { tally.rejected += 1 }
                guard fatal == nil else { return }
                do throws(ImportError) { try rejects.record(row, problem) } catch { fatal = error }
            }
            registryAnswered = registryAnswered || (fromRegistry && outcome.registryAnswered)
            onProgress(tally)
        }

        await withTaskGroup(of: (SourceRow, PostOutcome).self) { group in
            var inFlight = 0
            while fatal == nil, lost == nil {
                let next: SourceRow?
                do throws(ImportError) { next = try source.next() } catch {
                    fatal = error
                    break
                }
                guard let row = next else { break }
                let body: [UInt8]
                switch row.content.flatMap(Self.encode) {
                case .failure(let problem):
                    settle(row, .rejected(problem), fromRegistry: false)
                    continue
                case .success(let bytes): body = bytes
                }
                if inFlight >= max(1, concurrency), let (done, outcome) = await group.next() {
                    inFlight -= 1
                    settle(done, outcome)
                }
                if fatal != nil || lost != nil {
                    // The row just read was not sent: it counts with the rows left.
                    lost?.lines.append(row.line)
                    break
                }
                let key = row.idempotencyKey ?? Self.idempotencyKey(kind: kind, body: body)
                group.addTask { (row, await sender.post(body, to: kind.resourcePath, idempotencyKey: key)) }
                inFlight += 1
            }
            while fatal == nil, lost == nil, let (done, outcome) = await group.next() { settle(done, outcome) }
            // Whatever stopped the import, rows in flight are not retried; their answers, if
            // any came, still count.
            group.cancelAll()
            if lost != nil {
                while let (done, outcome) = await group.next() { settle(done, outcome) }
            }
        }
        if let fatal { throw fatal }
        if let lost {
            var left = 0
            while case .some(.some) = try? source.next() { left += 1 }
            throw .registryLost(
                url: registryURL, reason: lost.reason, notTried: lost.lines.count + left,
                resumeLine: lost.lines.min() ?? 0, tally: tally)
        }
        return tally
    }

    private static func encode(_ value: JSONValue) -> Result<[UInt8], RowProblem> {
        do {
            return .success(try CanonicalJSON.encode(value))
        } catch {
            return .failure(RowProblem(field: error.field ?? "", code: "invalid-json", message: error.description))
        }
    }
}
