import Foundation
import Testing

@Suite("bus-tap masks names, phones and e-mails unless allowed, as built binaries", .timeLimit(.minutes(3)))
struct TapMaskingTests {
    typealias Sent = TapGapTests.Sent

    /// Personal fields at several depths, and an employer's name, which is public.
    static let person = Sent(
        "e2e.person", seq: 1,
        payload: #"{"candidateId":"c-1","name":{"given":"Aminata","family":"Traoré Diallo"},"#
            + #""contact":{"phone":"+22376123456","email":"aminata@example.org"},"#
            + #""employer":{"name":"Sahel BTP"},"people":[{"name":"Moussa Keita","phone":"+33612345678"}],"#
            + #""note":"call +22365432109 or write to fanta.k@example.net","mobile":"+22370001122"}"#)

    static let secrets = [
        "Aminata", "Traoré", "Diallo", "76123456", "example.org", "Moussa", "Keita", "612345678", "65432109", "fanta",
        "example.net",
        "70001122",
    ]

    @Test("by default: lines, --json and --record show A*** T***, +223******56, a***@***; the employer stays")
    func maskedByDefault() async throws {
        let file = scratchDirectory("record") + "/masked.jsonl"
        let (broker, taps, raw) = try await TapGapTests.busWithTaps(
            [["--count", "1"], ["--json", "--count", "1", "--record", file, "e2e."]], subscriptions: 2)
        #expect(await raw.send(Self.person))
        for tap in taps {
            #expect(try await tap.waitForExit(timeout: .seconds(30)) == .exited(0), "\(tap.stderr)")
            for secret in Self.secrets { #expect(!tap.stdout.contains(secret), "\(secret) in \(tap.stdout)") }
        }
        // The readable line is cut at 120 characters: the start of the payload, keys in order.
        let line = taps[0].stdout
        #expect(line.contains(#""phone":"+223******56""#) && line.contains(#""email":"a***@***""#), "\(line)")
        #expect(line.contains(#""employer":{"name":"Sahel BTP""#))
        let json = taps[1].stdout
        #expect(json.contains(#""given":"A***""#) && json.contains(#""family":"T*** D***""#), "\(json)")
        #expect(json.contains(#""name":"M*** K***""#) && json.contains(#""phone":"+336******78""#))
        #expect(json.contains(#""note":"call +223******09 or write to f***@***""#), "\(json)")
        #expect(json.contains(#""mobile":"+223******22""#))
        // --json: still one JSON envelope per line, masked; --record writes the same line.
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let payload = object?["payload"] as? [String: Any]
        #expect((payload?["contact"] as? [String: String])?["phone"] == "+223******56")
        #expect(object?["source"] as? String == "fixture" && object?["seq"] as? Int == 1)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == json)
        #expect(broker.process.isRunning)
        await raw.close()
    }

    @Test("shown as received only when allowed: --unmask without keys, the ACL's contact. right with keys")
    func unmaskedWhenAllowed() async throws {
        let allowed = TestSecurity.isOn ? ["--identity", "bus-tap-contact"] : ["--unmask"]
        let (broker, taps, raw) = try await TapGapTests.busWithTaps(
            [["--json", "--count", "1"] + allowed], subscriptions: 1)
        #expect(await raw.send(Self.person))
        #expect(try await taps[0].waitForExit(timeout: .seconds(30)) == .exited(0), "\(taps[0].stderr)")
        #expect(taps[0].stdout == Self.person.envelope + "\n", "byte for byte")
        #expect(broker.process.isRunning)
        await raw.close()
    }

    @Test("with keys, --unmask from an identity without the contact. right is refused, naming the option")
    func unmaskRefusedWithoutRight() async throws {
        let broker = try await RunningBroker.start(environment: TestSecurity.forced)
        let tap = try SpawnedProcess(
            "bus-tap", ["--bus-subscribe", broker.subscribers, "--unmask"], environment: TestSecurity.forced)
        #expect(try await tap.waitForExit(timeout: .seconds(30)) != .exited(0))
        #expect(tap.stderr.contains("--unmask: bus-tap may not read contact."), "\(tap.stderr)")
        #expect(broker.process.isRunning)
    }
}
