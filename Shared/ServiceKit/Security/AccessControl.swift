import Foundation
import Yams

/// Who may publish and read which streams on the bus: the topic ACL of DESIGN.md.
///
/// File `acl.yaml` in the keys folder: per identity, `publish` and `subscribe` lists of
/// topic prefixes (`offer.`). An instance (`matcher@kayes`) without an entry of its own
/// gets its service's (`matcher`). Every identity may publish its own heartbeat
/// (`heartbeat.<identity>`, exactly) and read every heartbeat; nothing else is implied.
public struct AccessControl: Sendable, Equatable {
    public struct Rights: Sendable, Equatable {
        public var publish: [String]
        public var subscribe: [String]

        public init(publish: [String], subscribe: [String]) {
            self.publish = publish
            self.subscribe = subscribe
        }
    }

    public private(set) var rules: [String: Rights]

    public init(rules: [String: Rights]) { self.rules = rules }

    /// Parses `acl.yaml`; an error names the identity and field at fault.
    public init(yaml: String) throws(KeysError) {
        let document: Any?
        do { document = try Yams.load(yaml: yaml) } catch {
            throw .invalid("acl.yaml: not YAML: \(error)")
        }
        guard let top = document as? [String: Any] else {
            throw .invalid("acl.yaml: expected a mapping of identity → {publish, subscribe}")
        }
        var rules: [String: Rights] = [:]
        for (identity, value) in top {
            guard Identity.isValid(identity) else { throw .invalid("acl.yaml: '\(identity)' is not an identity name") }
            guard let fields = value as? [String: Any] else {
                throw .invalid("acl.yaml: \(identity): expected publish and subscribe lists")
            }
            for key in fields.keys where key != "publish" && key != "subscribe" {
                throw .invalid("acl.yaml: \(identity).\(key): unknown field (publish or subscribe)")
            }
            func list(_ key: String) throws(KeysError) -> [String] {
                guard let raw = fields[key], !(raw is NSNull) else { return [] }
                guard let items = raw as? [Any] else { throw .invalid("acl.yaml: \(identity).\(key): expected a list") }
                var prefixes: [String] = []
                for item in items {
                    guard let prefix = item as? String, !prefix.isEmpty, prefix.allSatisfy({ !$0.isWhitespace }) else {
                        throw .invalid("acl.yaml: \(identity).\(key): '\(item)' is not a topic prefix such as offer.")
                    }
                    prefixes.append(prefix)
                }
                return prefixes
            }
            rules[identity] = Rights(publish: try list("publish"), subscribe: try list("subscribe"))
        }
        self.rules = rules
    }

    /// The rights of `identity`, or of its service for an instance without an entry.
    public func rights(of identity: String) -> Rights? {
        rules[identity] ?? rules[Identity.service(of: identity)]
    }

    /// Whether `identity` may publish on `topic`.
    public func mayPublish(_ identity: String, topic: String) -> Bool {
        if topic.hasPrefix("heartbeat.") { return topic == "heartbeat." + identity }
        guard let rights = rights(of: identity) else { return false }
        return rights.publish.contains { topic.hasPrefix($0) }
    }

    /// The prefixes `identity` may read: its list, and every heartbeat.
    public func readable(by identity: String) -> [String] {
        guard let rights = rights(of: identity) else { return [] }
        return rights.subscribe + ["heartbeat."]
    }

    /// What a subscription to `prefix` grants (see ``Bus/BrokerPolicy/grant(identity:prefix:)``).
    public func grant(_ identity: String, prefix: String) -> [String] {
        let readable = readable(by: identity)
        if readable.contains(where: { prefix.hasPrefix($0) }) { return [prefix] }
        return readable.filter { $0.hasPrefix(prefix) }
    }

    /// Whether `identity` may read all of `stream` (replay endpoints serve whole streams).
    public func mayRead(_ identity: String, stream: String) -> Bool {
        readable(by: identity).contains { (stream + ".").hasPrefix($0) }
    }

    /// The rules of DESIGN.md: only the candidate registry publishes `candidate.` and
    /// `contact.`; only it and the notifier read `contact.`; bus-tap reads, never publishes.
    public static let defaultYAML = """
        # Passerelle bus: who may publish and read which topics (prefixes).
        # Every identity may also publish its own heartbeat and read every heartbeat.
        # An instance such as matcher@kayes uses its service's entry unless it has its own.
        # Edits take effect without a restart.
        offer-registry:
          publish: [offer.]
          subscribe: []
        candidate-registry:
          publish: [candidate., contact.]
          subscribe: [notification.]      # STOP replies switch consent off
        matcher:
          publish: [match.]
          subscribe: [offer., candidate.]
        notifier:
          publish: [notification.]
          subscribe: [match., contact., candidate., offer.]
        statistics:
          publish: []
          subscribe: [offer., candidate., match., notification.]
        portail:                          # uses the owners' HTTP APIs, not the bus
          publish: []
          subscribe: []
        bus-tap:
          publish: []
          subscribe: [offer., candidate., match., notification.]   # not contact.: personal data
        bus-tap-contact:
          publish: []
          subscribe: [offer., candidate., contact., match., notification.]

        """
}
