import Messages
import Testing

/// The strict scan run before decoding: what it accepts, what it refuses, and where it says
/// the fault is.
@Suite("StrictJSON")
struct StrictJSONTests {
    /// The problem `check` reports for `text`, or nil when it accepts it.
    static func problem(_ text: String) -> StrictJSON.Problem? {
        problem(Array(text.utf8))
    }

    static func problem(_ bytes: [UInt8]) -> StrictJSON.Problem? {
        do {
            try StrictJSON.check(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func topLevel(_ key: String, _ text: String) throws(StrictJSON.Problem) -> String? {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(StrictJSON.Problem) in try StrictJSON.topLevelString(key, in: buffer) }
        }
        return try result.get()
    }

    @Test(
        "valid texts pass",
        arguments: [
            "{}", "[]", "0", "-0", "-0.0e-0", "1.5E+3", "\"\"", "true", "false", "null",
            " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
            #"{"a":{"b":[{"c":1},{"c":2}]},"c":3}"#, #"{"e":"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"}"#,
            "{\"é\":\"😀 naïve\"}", "1.7976931348623157e308", "-1.7976931348623157e308", "1e-400",
            "0.000000000000000000000000000000000001e300", "123456789012345678901234567890",
            #"{"a":1,"b":{"a":2},"c":[{"a":3}]}"#,
        ])
    func accepts(_ text: String) {
        #expect(Self.problem(text) == nil)
    }

    @Test(
        "syntax errors are refused",
        arguments: [
            "", " ", "{", "}", "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a" 1}"#, "{a:1}", "'a'", "01", "-", "1.", ".5",
            "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "[1] x", "{} {}", "// c\n{}", "/* c */ {}",
            "{\"a\":1 /* c */}", "\"a\tb\"", #""\x""#, #""\u12""#, #""\u12g4""#, "\"abc", #"{"a":}"#, "[,1]",
            "\u{FEFF}{}",
        ])
    func refusesSyntax(_ text: String) {
        #expect(Self.problem(text)?.kind == .syntax)
    }

    @Test("a duplicate key is refused, with its path")
    func duplicates() {
        let cases: [(String, String)] = [
            (#"{"a":1,"a":2}"#, "a"),
            (#"{"a":1,"b":2,"a":1}"#, "a"),
            (#"{"x":{"y":1,"y":1}}"#, "x.y"),
            (#"{"list":[{"k":1},{"k":1,"k":2}]}"#, "list[1].k"),
            (#"[[0],[1,{"z":null,"z":null}]]"#, "[1][1].z"),
            (
                #"{"requirements":{"languages":[{"code":"fr","level":"B2","level":"C1"}]}}"#,
                "requirements.languages[0].level"
            ),
        ]
        for (text, path) in cases {
            let problem = Self.problem(text)
            #expect(problem?.kind == .duplicateKey, "\(text)")
            #expect(problem?.path == path, "\(text)")
        }
    }

    @Test("keys are compared after resolving escapes")
    func escapedDuplicates() {
        #expect(Self.problem(#"{"a":1,"\u0061":2}"#)?.kind == .duplicateKey)
        #expect(Self.problem(#"{"\u0061":1,"a":2}"#)?.kind == .duplicateKey)
        #expect(Self.problem(#"{"\u0061":1,"\u0061":2}"#)?.kind == .duplicateKey)
        #expect(Self.problem(#"{"é":1,"\u00e9":2}"#)?.kind == .duplicateKey)
        #expect(Self.problem(#"{"😀":1,"\ud83d\ude00":2}"#)?.kind == .duplicateKey)
        #expect(Self.problem(#"{"a\/b":1,"a/b":2}"#)?.path == "a/b")
        // Unicode normalisation is not applied: "é" precomposed and decomposed differ.
        #expect(Self.problem("{\"\u{E9}\":1,\"e\u{301}\":2}") == nil)
        // Case matters.
        #expect(Self.problem(#"{"a":1,"A":2}"#) == nil)
    }

    @Test("the same key in different objects is no duplicate")
    func sameKeyElsewhere() {
        #expect(Self.problem(#"[{"a":1},{"a":2}]"#) == nil)
        #expect(Self.problem(#"{"a":{"a":{"a":1}}}"#) == nil)
    }

    @Test("duplicates are found in a large object too")
    func largeObject() {
        let members = (0..<1000).map { "\"k\($0)\":\($0)" }
        #expect(Self.problem("{" + members.joined(separator: ",") + "}") == nil)
        let duplicated = Self.problem("{" + (members + ["\"k500\":0"]).joined(separator: ",") + "}")
        #expect(duplicated == StrictJSON.Problem(kind: .duplicateKey, path: "k500", reason: duplicated?.reason ?? ""))
        #expect(Self.problem("{" + (members + [#""k\u0035""# + ":0"]).joined(separator: ",") + "}")?.path == "k5")
    }

    @Test("numbers must be finite as a Double, and the problem names them")
    func numbers() {
        #expect(Self.problem("1e309")?.kind == .numberOutOfRange)
        #expect(Self.problem("-1e309")?.kind == .numberOutOfRange)
        #expect(Self.problem("1.7976931348623159e308")?.kind == .numberOutOfRange)
        #expect(Self.problem("1" + String(repeating: "0", count: 309))?.kind == .numberOutOfRange)
        #expect(Self.problem("0.001e312")?.kind == .numberOutOfRange)
        #expect(Self.problem("1e99999999999999999999999")?.kind == .numberOutOfRange)
        #expect(Self.problem("1e-99999999999999999999999") == nil)
        #expect(Self.problem("0e99999") == nil)
        #expect(Self.problem("9.99e307") == nil)
        #expect(Self.problem("18446744073709551616") == nil)
        let nested = Self.problem(#"{"offer":{"salary":{"amount":1e309}},"list":[1,2]}"#)
        #expect(nested?.kind == .numberOutOfRange)
        #expect(nested?.path == "offer.salary.amount")
        #expect(Self.problem(#"{"list":[1,2,1e400]}"#)?.path == "list[2]")
    }

    @Test("nesting is limited to 64 levels")
    func depth() {
        #expect(Self.problem(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(Self.problem(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))?.kind == .tooDeep)
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(Self.problem(objects)?.kind == .tooDeep)
        // A hostile 100,000-deep text is refused without exhausting the stack.
        #expect(Self.problem(String(repeating: "[", count: 100_000))?.kind == .tooDeep)
    }

    @Test("strings must be valid UTF-8")
    func invalidUTF8() {
        let invalid: [[UInt8]] = [
            [0xFF], [0xC0, 0xAF], [0xC3], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF0, 0x9F, 0x98], [0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x28, 0xA1],
        ]
        for bytes in invalid {
            let text = Array(#"{"name":""#.utf8) + bytes + Array(#""}"#.utf8)
            let problem = Self.problem(text)
            #expect(problem?.kind == .syntax, "\(bytes)")
            #expect(problem?.path == "name", "\(bytes)")
        }
        #expect(Self.problem([0x22] + Array("é€😀".utf8) + [0x22]) == nil)
        #expect(Self.problem([0x7B, 0xFF, 0x7D])?.kind == .syntax)
    }

    @Test(
        "a lone surrogate escape is refused",
        arguments: [
            #""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\ud800\ud800""#, #""\ude00\ud83d""#,
        ])
    func loneSurrogates(_ text: String) {
        #expect(Self.problem(text)?.kind == .syntax)
    }

    @Test("topLevelString returns the decoded value of a top-level member")
    func topLevelString() throws {
        #expect(try Self.topLevel("type", #"{"v":1,"type":"offer.created","payload":{"type":"x"}}"#) == "offer.created")
        #expect(try Self.topLevel("type", #"{"payload":{"type":"x"}}"#) == nil)
        #expect(try Self.topLevel("type", #"{"t\u0079pe":"a\u00e9\ud83d\ude00\n"}"#) == "aé😀\n")
        #expect(try Self.topLevel("é", #"{"\u00e9":"ok"}"#) == "ok")
        #expect(try Self.topLevel("type", #"{"type":""}"#) == "")
    }

    @Test("topLevelString checks the whole text")
    func topLevelStringChecks() {
        #expect(throws: StrictJSON.Problem.self) { try Self.topLevel("type", #"{"type":"a","type":"b"}"#) }
        #expect(throws: StrictJSON.Problem.self) { try Self.topLevel("type", #"{"type":"a"} x"#) }
        #expect(throws: StrictJSON.Problem.self) { try Self.topLevel("type", #"{"type":"a","n":1e999}"#) }
        #expect(throws: StrictJSON.Problem(kind: .syntax, path: "", reason: "expected an object at byte 0")) {
            try Self.topLevel("type", #"["type"]"#)
        }
        #expect(throws: StrictJSON.Problem.self) { try Self.topLevel("type", #""type""#) }
        do {
            _ = try Self.topLevel("type", #"{"type":42}"#)
            Issue.record("a number for type was accepted")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.path == "type")
        }
    }

    @Test("a problem describes itself with its path")
    func description() {
        let problem = StrictJSON.Problem(kind: .duplicateKey, path: "a.b", reason: "twice")
        #expect(problem.description == "a.b: twice")
        #expect(StrictJSON.Problem(kind: .syntax, path: "", reason: "bad").description == "bad")
    }
}
