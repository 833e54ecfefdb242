import Foundation
import Messages
import Testing

@testable import Importing
@testable import passerelle

@Suite("The rejects file: why, then the original cells, ready to correct and import again")
struct RejectsFileTests {
    @Test("it is written only when there is a reject, with a header and quoted cells")
    func content() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/r.csv"
        var rejects = RejectsFile(path: path, echoHeader: ["name.given", "skills"])
        let row = SourceRow(line: 7, cells: ["Awa", "a,b \"c\""], content: .success(.null), idempotencyKey: nil)
        try rejects.record(row, RowProblem(field: "skills", code: "invalid-value", message: "non / no"))
        try rejects.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            text == """
                line,field,code,message,name.given,skills
                7,skills,invalid-value,non / no,Awa,"a,b ""c\"\"\"

                """)
    }

    @Test("a run without rejects removes the stale file of an earlier run")
    func stale() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("r.csv", "line,field,code,message\n2,,x,y\n")
        var rejects = RejectsFile(path: path, echoHeader: [])
        try rejects.finish()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the default path is beside the input")
    func defaultPath() {
        #expect(RejectsFile.defaultPath(for: "/data/offres.csv") == "/data/offres.csv.rejects.csv")
    }
}
