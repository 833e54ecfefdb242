import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where Debian's `kannel` and `kannel-extras` packages (bookworm, 1.4.5) put what the tests run.
enum KannelInstallation {
    static let bearerbox = URL(fileURLWithPath: "/usr/sbin/bearerbox")
    static let smsbox = URL(fileURLWithPath: "/usr/sbin/smsbox")
    /// kannel-extras' test SMS centre: not on PATH.
    static let fakesmsc = URL(fileURLWithPath: "/usr/lib/kannel/test/fakesmsc")

    static var missing: [String] {
        [bearerbox, smsbox, fakesmsc].map(\.path).filter { !FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var isInstalled: Bool { missing.isEmpty }

    /// Why the Kannel tests do not run, as Swift Testing prints it.
    static var skipReason: Comment {
        Comment(
            rawValue: "Kannel is not installed (missing \(missing.joined(separator: ", "))): "
                + "compose/dev test installs Debian's kannel and kannel-extras; without them the Kannel tests are skipped"
        )
    }

    /// compose/kannel/kannel.conf.in, the template compose/dev renders too.
    static var template: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("compose/kannel/kannel.conf.in")
    }
}

/// A real Kannel on loopback: bearerbox, smsbox, and kannel-extras' fakesmsc as the SMS centre,
/// each a child process (``SpawnedProcess``: own process group, killed with the test process),
/// configured from compose/kannel/kannel.conf.in in a scratch directory.
///
/// What Kannel 1.4.5 sends and accepts, as observed by KannelTests (the notifier must match):
///
/// - **sendsms** (the notifier → Kannel): `GET /cgi-bin/sendsms?username=U&password=P&from=PASSERELLE`
///   `&to=%2B33612345678&text=Offre+ES-2027-0042…` (form-encoded: a `+` in a number is `%2B`), optional
///   `coding=2&charset=UTF-8` (UCS-2, for text GSM-7 cannot hold), `dlr-mask=31&dlr-url=<encoded URL>`.
///   Answers `202` `0: Accepted for delivery` (SMS centre online) or `3: Queued for later delivery`;
///   400 without `from`, 403 for bad credentials.
/// - **Delivery report** (Kannel → `dlr-url`, the sender's own URL with Kannel's escapes filled
///   in): `GET /dlr?ref=42&status=8&answer=ACK%2F&to=%2B33612345678&…` for "delivered to SMSC",
///   then `status=1&answer=` for "delivered to phone"; `%d` status, `%A` SMSC answer, `%p` the
///   phone, `%P` the sender, `%T` epoch seconds, `%I` Kannel's id, `%F` the SMSC's id.
/// - **Incoming SMS** (Kannel → `/inbound/sms`, compose/kannel's `get-url`):
///   `GET /inbound/sms?from=%2B33612345678&text=oui+es-2027-0042&id=<UUID>&time=<epoch s>&secret=S`,
///   form-encoded (space as `+`), `text` in UTF-8 (UCS-2 from the phone recoded by `mo-recode`),
///   runs of spaces squeezed to one, no body; `User-Agent: Kannel/1.4.5`. Any answer but 200 or
///   202 is tried again (3 times, 10 s apart); Kannel sends no reply SMS (`max-messages = 0`).
///
/// Ports: bearerbox and smsbox cannot listen on port 0. Each port is reserved first: a socket
/// bound to 127.0.0.1:0 with SO_REUSEADDR, never listening (``ReservedPort``). While it stays
/// bound the kernel hands that port to nobody else (no bind to port 0, no outgoing connection),
/// yet Kannel, which binds with SO_REUSEADDR too, can bind and listen on it. The reservations
/// are closed once Kannel listens. Should a port still be taken ("bind failed" in a log), the
/// start is retried on new ports (3 attempts).
final class RunningKannel: Sendable {
    let bearerbox: SpawnedProcess
    let smsbox: SpawnedProcess
    let fakesmsc: SpawnedProcess
    let settings: KannelSettings
    /// From the first spawn to the SMS centre link and smsbox both up.
    let readyAfter: Duration
    let typing: FakeSMSCKeyboard

    /// `http://127.0.0.1:PORT/cgi-bin/sendsms`
    var sendsmsURL: String { "http://127.0.0.1:\(settings.sendsmsPort)/cgi-bin/sendsms" }
    var username: String { settings.username }
    var password: String { settings.password }
    /// The `secret` Kannel adds to every request to the inbound URL.
    var secret: String { settings.secret }
    var statusURL: String { settings.statusURL }

    private init(
        bearerbox: SpawnedProcess, smsbox: SpawnedProcess, fakesmsc: SpawnedProcess, keyboard: FakeSMSCKeyboard,
        settings: KannelSettings, readyAfter: Duration
    ) {
        (self.bearerbox, self.smsbox, self.fakesmsc, typing) = (bearerbox, smsbox, fakesmsc, keyboard)
        (self.settings, self.readyAfter) = (settings, readyAfter)
    }

    /// Starts Kannel forwarding every incoming SMS to `inboundURL` (a full URL, its path
    /// included, without a query) and returns once the SMS centre link and smsbox are up.
    static func start(inboundURL: String, secret: String = "kannel-test-secret") async throws -> RunningKannel {
        for _ in 1..<3 {
            do {
                return try await startOnce(inboundURL: inboundURL, secret: secret)
            } catch KannelHarnessError.portTaken {
                // Taken by someone binding with SO_REUSEADDR too: again, on new ports.
            }
        }
        return try await startOnce(inboundURL: inboundURL, secret: secret)
    }

    private static func startOnce(inboundURL: String, secret: String) async throws -> RunningKannel {
        let ports = try (0..<4).map { _ in try ReservedPort() }
        let directory = scratchDirectory("kannel")
        let settings = KannelSettings(
            adminPort: ports[0].port, smsboxPort: ports[1].port, fakesmscPort: ports[2].port,
            sendsmsPort: ports[3].port, adminPassword: "admin-\(UUID().uuidString.prefix(8))", username: "passerelle",
            password: "sendsms-\(UUID().uuidString.prefix(8))", secret: secret, inboundURL: inboundURL,
            runDirectory: directory)
        let config = "\(directory)/kannel.conf"
        let template = try String(contentsOf: KannelInstallation.template, encoding: .utf8)
        try settings.render(template).write(toFile: config, atomically: true, encoding: .utf8)

        let started = ContinuousClock.now
        let bearerbox = try SpawnedProcess(
            executable: KannelInstallation.bearerbox, name: "bearerbox", ["-v", "1", config])
        // fakesmsc connects once: bearerbox must listen first (its admin page answers after that).
        try await waitForStatus(settings, until: { $0.contains("SMSC connections") }, from: [bearerbox])
        let smsbox = try SpawnedProcess(executable: KannelInstallation.smsbox, name: "smsbox", ["-v", "1", config])
        let keyboard = FakeSMSCKeyboard()
        let fakesmsc = try SpawnedProcess(
            executable: KannelInstallation.fakesmsc, name: "fakesmsc",
            ["-H", "127.0.0.1", "-r", "\(settings.fakesmscPort)", "-i", "0"], input: keyboard.pipe)
        try await waitForStatus(
            settings,
            until: { status in
                status.contains(/fake\[fake\][^\n]*\(online/) && status.contains(/smsbox:[^\n]*on-line/)
            }, from: [bearerbox, smsbox, fakesmsc])
        withExtendedLifetime(ports) {}
        return RunningKannel(
            bearerbox: bearerbox, smsbox: smsbox, fakesmsc: fakesmsc, keyboard: keyboard, settings: settings,
            readyAfter: ContinuousClock.now - started)
    }

    /// Polls bearerbox's status page (bounded: 20 s) until `ready` holds; throws
    /// `portTaken` as soon as one of `processes` could not bind, and when one of them exits.
    private static func waitForStatus(
        _ settings: KannelSettings, until ready: (String) -> Bool, from processes: [SpawnedProcess]
    ) async throws {
        let url = URL(string: settings.statusURL)!
        var last = "no answer"
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            for process in processes {
                if process.stderr.contains("bind failed") { throw KannelHarnessError.portTaken(log: process.stderr) }
                if !process.isRunning { throw KannelHarnessError.exited(process: process.name, log: process.stderr) }
            }
            if let (data, _) = try? await URLSession.shared.data(from: url) {
                last = String(decoding: data, as: UTF8.self)
                if ready(last) { return }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError.timedOut(waitingFor: "Kannel's SMS centre link and smsbox", last: last)
    }

    /// bearerbox's plain-text status page.
    func status() async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: statusURL)!)
        return String(decoding: data, as: UTF8.self)
    }

    /// Kills bearerbox, smsbox and fakesmsc (their process groups) and removes the scratch
    /// directory. Safe to call twice; `deinit` kills them too, so a failed test leaves nothing.
    func stop() {
        for process in [fakesmsc, smsbox, bearerbox] { process.signal(SIGKILL) }
        try? FileManager.default.removeItem(atPath: settings.runDirectory)
    }
}

enum KannelHarnessError: Error, CustomStringConvertible {
    /// A Kannel process found a port taken (retried on other ports).
    case portTaken(log: String)
    case exited(process: String, log: String)
    case badSetting(String)
    case badLine(String)

    var description: String {
        switch self {
        case .portTaken(let log): "a Kannel port was taken; its log:\n\(log.suffix(2_000))"
        case .exited(let process, let log): "\(process) exited while Kannel started; its log:\n\(log.suffix(2_000))"
        case .badSetting(let why): "bad Kannel setting: \(why)"
        case .badLine(let why): "fakesmsc cannot type this: \(why)"
        }
    }
}

/// `name=value&…` with everything but unreserved ASCII percent-encoded (a `+` in a phone
/// number must reach Kannel as `%2B`: it decodes `+` as a space).
func formEncoded(_ fields: [(name: String, value: String)]) -> String {
    fields.map { "\(percentEncoded($0.name))=\(percentEncoded($0.value))" }.joined(separator: "&")
}

func percentEncoded(_ text: String) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return text.addingPercentEncoding(withAllowedCharacters: unreserved)!
}
