import CZeroMQ

/// A CURVE key pair in Z85 text (40 characters each), as `zmq_curve_keypair` makes them.
public struct CurveKeyPair: Sendable, Equatable, Codable {
    public var publicKey: String
    public var secretKey: String

    public init(publicKey: String, secretKey: String) throws(BusError) {
        try Self.validate(publicKey, name: "publicKey")
        try Self.validate(secretKey, name: "secretKey")
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh key pair from libzmq (needs a libzmq built with CURVE, as Debian's is).
    public static func generate() throws(BusError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else {
            throw BusError.last("zmq_curve_keypair")
        }
        return try CurveKeyPair(
            publicKey: String(decoding: publicKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self),
            secretKey: String(decoding: secretKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Derives the public key of a Z85 secret key.
    public static func publicKey(forSecret secretKey: String) throws(BusError) -> String {
        try validate(secretKey, name: "secretKey")
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else {
            throw BusError.last("zmq_curve_public")
        }
        return String(decoding: publicKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Checks that `key` is 40 Z85 characters; the error names it as `name`.
    public static func validate(_ key: String, name: String) throws(BusError) {
        let z85 = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
        guard key.count == 40, key.allSatisfy({ z85.contains($0) }) else {
            throw BusError.invalidKey(reason: "\(name) must be 40 Z85 characters, got \(key.count) characters")
        }
    }
}

/// Which side of a CURVE handshake a socket takes.
public enum CurveRole: Sendable, Equatable {
    /// Accepts connections; clients must know `keys.publicKey`. Pair it with a ZAP handler,
    /// otherwise any client key is accepted.
    case server(keys: CurveKeyPair)
    /// Connects to a server whose public key is `serverKey`.
    case client(keys: CurveKeyPair, serverKey: String)

    func apply(to socket: ZMQSocket) throws(BusError) {
        switch self {
        case .server(let keys):
            try socket.set(ZMQ_CURVE_SERVER, Int32(1))
            try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.secretKey.utf8))
            try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: Array(keys.publicKey.utf8))
        case .client(let keys, let serverKey):
            try CurveKeyPair.validate(serverKey, name: "serverKey")
            try socket.set(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8))
            try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: Array(keys.publicKey.utf8))
            try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.secretKey.utf8))
        }
    }
}
