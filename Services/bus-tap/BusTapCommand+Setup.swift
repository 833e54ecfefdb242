import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit

extension BusTapCommand {
    /// Masked unless the tap may see contact details: with keys, when the ACL lets its
    /// identity read `contact.` (and `--unmask` is refused otherwise); without keys, only when
    /// told `--unmask` (nothing on such a bus stops a reader, but a screen or a recording
    /// should not show personal data by accident).
    func personalDataMask(_ settings: ServiceSettings) throws -> PersonalDataMask {
        guard let security = settings.security else { return PersonalDataMask(enabled: !unmask) }
        let allowed = security.accessControl().mayRead(security.identity, stream: "contact")
        if unmask, !allowed {
            throw ValidationError(
                "--unmask: \(security.identity) may not read contact. (acl.yaml); names, phones and e-mails stay masked"
            )
        }
        return PersonalDataMask(enabled: !allowed)
    }

    /// The reader of `--from` history, or nil without `--from`.
    func historyFollower(_ settings: ServiceSettings) async throws -> HistoryFollower? {
        let starts = from.compactMap(HistoryStart.init)
        guard !starts.isEmpty else { return nil }
        var endpoints: [String: String] = [:]
        for source in Set(starts.map(\.source)) {
            if let replay {
                endpoints[source] = replay
            } else {
                endpoints[source] = try await replayEndpoint(of: source, settings: settings)
            }
        }
        let found = endpoints
        return HistoryFollower(starts: starts, timeout: .seconds(10)) { source in
            // With keys, the replay endpoint must prove it is `source` (its listed key).
            let options =
                try settings.security?.clientOptions(settings.socketOptions, server: source) ?? settings.socketOptions
            return try ReplayClient(endpoint: found[source] ?? "", source: source, options: options)
        }
    }

    /// The replay endpoint `source` names in its heartbeat, waited for up to 10 s.
    func replayEndpoint(of source: String, settings: ServiceSettings) async throws -> String {
        let subscriber = try BusSubscriber(
            connect: [settings.busSubscribe], prefixes: ["heartbeat.\(source)"],
            options: try settings.brokerClientOptions())
        defer { Task { await subscriber.close() } }
        let found = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                while case .some(let delivery) = try? await subscriber.next() {
                    guard case .message(let message) = delivery,
                        let header = try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope),
                        header.source == source, case .string(let endpoint) = header.payload["replay"]
                    else { continue }
                    return endpoint
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        guard let found else {
            throw ValidationError(
                "--from: no heartbeat from \(source) naming its replay endpoint within 10 s; give --replay ENDPOINT")
        }
        return found
    }

    /// `--play FILE`: checks the whole file, then publishes it.
    func publish(file: String, settings: ServiceSettings) async throws {
        let player = TapPlayer(path: file, rate: rate)
        let messages: [BusMessage]
        do {
            messages = try player.load()
        } catch {
            Diagnostics.write("bus-tap: \(error)")
            throw ExitCode(2)
        }
        if let security = settings.security { try checkPublishable(messages, file: file, security: security) }
        // A context of its own, ended before exit: libzmq sends what it holds (up to the
        // LINGER) only while its context lives, and this process exits right after.
        let context = BusContext()
        var options = try settings.brokerClientOptions()
        options.lingerMilliseconds = 10_000
        let publisher = try BusPublisher(connect: [settings.busPublish], options: options, context: context)
        try await player.play(messages, through: publisher, wait: .seconds(10))
        await publisher.close()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                context.terminate()
                done.resume()
            }.start()
        }
        Diagnostics.write("bus-tap: published \(messages.count) envelopes from \(file) to \(settings.busPublish)")
    }
}

extension BusTapCommand {
    /// With keys the broker forwards only what the sender's identity may publish, as its own
    /// `source`: a recording of another source's envelopes would be dropped without a word,
    /// so it is refused here, naming the first line at fault.
    func checkPublishable(_ messages: [BusMessage], file: String, security: BusSecurity) throws {
        let access = security.accessControl()
        for (index, message) in messages.enumerated() {
            let source = (try? EnvelopeHeader.decode(topic: message.topic, bytes: message.envelope))?.source ?? ""
            guard source != security.identity || !access.mayPublish(security.identity, topic: message.topic) else {
                continue
            }
            let reason =
                source != security.identity
                ? "its source is \(source), and the broker takes envelopes only from their source's key"
                : "acl.yaml does not let \(source) publish \(message.topic)"
            Diagnostics.write(
                "bus-tap: --play: \(file) line \(index + 1) cannot be published as \(security.identity): \(reason) "
                    + "(--identity \(source)); nothing was published")
            throw ExitCode(2)
        }
    }
}

/// Where `--stats` blocks go: standard output, one block per interval; on a terminal the
/// block replaces the previous one (cursor home, clear screen), so the screen stays one page.
enum StatsScreen {
    static func show(_ lines: [String], inPlace: Bool) {
        let text = (inPlace ? "\u{1B}[H\u{1B}[2J" : "") + lines.joined(separator: "\n") + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
