/// A publisher's sign of life, sent about once a second on `heartbeat.<source>` with
/// `seq` 0: its latest sequence number per stream, and where to replay from.
///
/// A subscriber that has applied less than `streams[stream]` has lost messages and asks
/// `replay` for the rest.
public struct Heartbeat: Hashable, Sendable, Codable {
    /// The publishing service instance; also the last part of the topic.
    public var source: String
    /// Latest `seq` published per stream, e.g. `["offer": 142]`.
    public var streams: [String: Int64]
    /// The publisher's replay endpoint, e.g. `tcp://127.0.0.1:7110`.
    public var replay: String?
    /// A random id of the running process: two processes with one source name (a
    /// configuration mistake that would mix their numbering) tell each other apart by it.
    public var instance: String?

    public init(source: String, streams: [String: Int64], replay: String? = nil, instance: String? = nil) {
        self.source = source
        self.streams = streams
        self.replay = replay
        self.instance = instance
    }
}
