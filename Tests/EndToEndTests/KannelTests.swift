import Foundation
import Testing

/// A real Kannel (bearerbox, smsbox, fakesmsc) carries SMS both ways with no notifier: what
/// the notifier's Kannel channel relies on. See ``RunningKannel`` for the request formats.
@Suite(.enabled(if: KannelInstallation.isInstalled, KannelInstallation.skipReason), .timeLimit(.minutes(2)))
struct KannelTests {
    static let phone = "+33612345678"
    /// The number candidates text.
    static let shortCode = "38200"

    /// A GET to sendsms, form-encoded, as the notifier will send it.
    func sendsms(_ kannel: RunningKannel, _ fields: [(name: String, value: String)]) async throws -> HTTPResult {
        let credentials = [
            (name: "username", value: kannel.username), (name: "password", value: kannel.password),
            (name: "from", value: "PASSERELLE"), (name: "to", value: Self.phone),
        ]
        return try await request("GET", "\(kannel.sendsmsURL)?\(formEncoded(credentials + fields))", auth: .none)
    }

    /// Unix time in seconds, within 5 minutes of now.
    func isNow(_ epoch: String?) -> Bool {
        epoch.flatMap(Double.init).map { abs(Date().timeIntervalSince1970 - $0) < 300 } ?? false
    }

    @Test func aGSM7TextSentThroughSendsmsReachesThePhoneUnchanged() async throws {
        let inbound = try RecordingServer()
        let kannel = try await RunningKannel.start(inboundURL: "\(inbound.url)/inbound/sms")
        defer { kannel.stop() }
        let text = "Offre ES-2027-0042: macon a Huelva. Repondez OUI ES-2027-0042"

        let answer = try await sendsms(kannel, [(name: "text", value: text)])

        #expect(answer.status == 202)
        #expect(String(decoding: answer.body, as: UTF8.self) == "0: Accepted for delivery")
        let messages = try await kannel.waitForSentMessages(count: 1)
        #expect(messages == [FakeSMSCMessage(sender: "PASSERELLE", receiver: Self.phone, type: "text", text: text)])
    }

    /// GSM-7 has é, è, à and Ç but neither ê nor ç: Kannel sends `?` for ê and Ê, and Ç for ç,
    /// unless the sender asks for UCS-2 (`coding=2`), which carries them all.
    @Test func charactersGSM7CannotHoldAreReplacedUnlessTheSenderAsksForUCS2() async throws {
        let inbound = try RecordingServer()
        let kannel = try await RunningKannel.start(inboundURL: "\(inbound.url)/inbound/sms")
        defer { kannel.stop() }
        let text = "Fête à Besançon: maçon, élève. ARRÊT pour ne plus recevoir"

        _ = try await sendsms(kannel, [(name: "text", value: text)])
        let asGSM7 = try await kannel.waitForSentMessages(count: 1)
        _ = try await sendsms(
            kannel, [(name: "text", value: text), (name: "coding", value: "2"), (name: "charset", value: "UTF-8")])
        let both = try await kannel.waitForSentMessages(count: 2)

        #expect(asGSM7.map(\.text) == ["F?te à BesanÇon: maÇon, élève. ARR?T pour ne plus recevoir"])
        #expect(asGSM7.map(\.type) == ["text"])
        #expect(both.last == FakeSMSCMessage(sender: "PASSERELLE", receiver: Self.phone, type: "ucs-2", text: text))
    }

    /// fakesmsc's link acknowledges every message: "delivered to SMSC" (8), then "delivered to
    /// phone" (1), each a GET to the dlr-url the sender gave, Kannel's escapes filled in.
    @Test func aDeliveryReportReachesTheURLTheSenderGave() async throws {
        let inbound = try RecordingServer()
        let reports = try RecordingServer()
        let kannel = try await RunningKannel.start(inboundURL: "\(inbound.url)/inbound/sms")
        defer { kannel.stop() }
        let dlrURL = "\(reports.url)/dlr?ref=42&status=%d&answer=%A&to=%p&from=%P&time=%T&id=%I&smsc-id=%F"

        let answer = try await sendsms(
            kannel,
            [
                (name: "text", value: "Offre ES-2027-0042"), (name: "dlr-mask", value: "31"),
                (name: "dlr-url", value: dlrURL),
            ])

        #expect(answer.status == 202)
        let received = try await reports.waitForRequests(count: 2)
        let byStatus = Dictionary(received.map { ($0.query["status"] ?? "", $0) }) { first, _ in first }
        #expect(Set(byStatus.keys) == ["8", "1"], "\(received)")
        for report in received {
            #expect(report.method == "GET" && report.path == "/dlr", "\(report)")
            #expect(report.query["ref"] == "42" && report.query["to"] == Self.phone, "\(report)")
            #expect(report.query["from"] == "PASSERELLE", "\(report)")
            #expect(isNow(report.query["time"]), "\(report)")
        }
        #expect(byStatus["8"]?.query["answer"] == "ACK/")
        #expect(byStatus["1"]?.query["smsc-id"]?.isEmpty == false)
        #expect(try await kannel.waitForSentMessages(count: 1).map(\.text) == ["Offre ES-2027-0042"])
    }

    /// What a candidate texts reaches the inbound URL by GET: from, text (UTF-8, also when the
    /// phone sent UCS-2), Kannel's id, the time and the shared secret; Kannel sends no reply.
    @Test func anIncomingSMSReachesTheInboundURLWithItsFieldsAndTheSecret() async throws {
        let inbound = try RecordingServer()
        let kannel = try await RunningKannel.start(inboundURL: "\(inbound.url)/inbound/sms", secret: "s3cret-for-test")
        defer { kannel.stop() }

        let texts: [(String, FakeSMSCCoding)] = [
            ("oui es-2027-0042", .text), ("ARRÊT", .ucs2), ("Arrêt  ES-2027-0042 merci", .text),
        ]
        var received: [RecordingServer.Request] = []
        for (number, (text, coding)) in texts.enumerated() {
            try await kannel.receiveSMS(from: Self.phone, to: Self.shortCode, text: text, coding: coding)
            received = try await inbound.waitForRequests(count: number + 1)
        }

        #expect(received.map { $0.query["text"] } == ["oui es-2027-0042", "ARRÊT", "Arrêt ES-2027-0042 merci"])
        for request in received {
            #expect(request.method == "GET" && request.path == "/inbound/sms" && request.body.isEmpty, "\(request)")
            #expect(request.query["from"] == Self.phone && request.query["secret"] == "s3cret-for-test", "\(request)")
            #expect(request.query["id"].flatMap(UUID.init(uuidString:)) != nil, "\(request)")
            #expect(isNow(request.query["time"]), "\(request)")
        }
        let first = try #require(received.first)
        let (id, time) = (first.query["id"] ?? "", first.query["time"] ?? "")
        #expect(
            first.target
                == "/inbound/sms?from=%2B33612345678&text=oui+es-2027-0042&id=\(id)&time=\(time)&secret=s3cret-for-test"
        )
        #expect(received[1].target.contains("&text=ARR%C3%8AT&"), "\(received[1])")
        // max-messages = 0: nothing goes back to the phone on its own.
        try await Task.sleep(for: .seconds(2))
        #expect(kannel.sentMessages.isEmpty, "\(kannel.sentMessages)")
    }
}

/// How the Kannel harness gives bearerbox and smsbox ports of their own (they cannot take port 0).
@Suite struct KannelPortReservationTests {
    @Test func aReservedPortIsHandedToNobodyElseYetAServerReusingAddressesCanListenOnIt() throws {
        let reserved = try ReservedPort()
        let others = try (0..<500).map { _ in try RefusingPort() }
        #expect(!others.contains { $0.port == reserved.port })

        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(reserved.port).bigEndian)
        let listening = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && listen(listener, 1) == 0
            }
        }
        #expect(listening, "errno \(errno)")
    }
}
