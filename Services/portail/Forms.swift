import Foundation
import Hummingbird

/// An HTML form's fields (`application/x-www-form-urlencoded`, at most 64 KiB), decoded by
/// Hummingbird's `URLEncodedFormDecoder`; a malformed body is a 400 that says so.
enum FormBody {
    static let limit = 64 * 1_024

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: "Formulaire trop long. / Form too long.")
        }
        do {
            return try URLEncodedFormDecoder().decode(type, from: String(buffer: buffer))
        } catch DecodingError.keyNotFound(let key, _) {
            throw HTTPError(.badRequest, message: "Champ manquant / missing field: \(key.stringValue)")
        } catch {
            throw HTTPError(.badRequest, message: "Formulaire illisible. / Unreadable form.")
        }
    }
}

/// `POST /connexion`.
struct SignInForm: Decodable {
    var identifiant: String
    var motDePasse: String
    var suite: String?
    var _csrf: String?

    enum CodingKeys: String, CodingKey {
        case identifiant, suite, _csrf
        case motDePasse = "mot_de_passe"
    }
}

/// A form that only carries its token (`POST /deconnexion`).
struct TokenForm: Decodable {
    var _csrf: String?
}
