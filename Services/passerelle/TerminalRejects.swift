import Importing

/// Rejects shown on stderr (`demo`), the first few only.
struct TerminalRejects: RejectSink {
    var limit = 10
    private(set) var count = 0

    mutating func record(_ row: SourceRow, _ problem: RowProblem) throws(ImportError) {
        count += 1
        guard count <= limit else { return }
        let field = problem.field.isEmpty ? "" : " [\(problem.field)]"
        Terminal.error("#\(row.line) \(problem.code)\(field): \(problem.message)")
    }
}
