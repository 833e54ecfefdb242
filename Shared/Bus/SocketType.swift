import CZeroMQ

/// The ZeroMQ socket types Passerelle uses.
public enum SocketType: Sendable, CustomStringConvertible {
    case pub, sub, xpub, xsub, router, dealer, push, pull, pair, rep

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        }
    }

    public var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .push: "PUSH"
        case .pull: "PULL"
        case .pair: "PAIR"
        case .rep: "REP"
        }
    }

    /// Whether the socket can receive at all (a PUB or PUSH socket never does).
    var receives: Bool {
        switch self {
        case .pub, .push: false
        default: true
        }
    }
}
