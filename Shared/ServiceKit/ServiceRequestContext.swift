import Hummingbird
import NIOCore

/// Every service's request context: Hummingbird's basic one, plus the address of the peer
/// (Portail throttles sign-in attempts per address). In-process tests have no peer (nil).
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
