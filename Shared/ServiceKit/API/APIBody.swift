import Foundation
import Hummingbird
import Messages
import NIOCore

/// Reading and writing JSON bodies the same way in every service's API.
public enum APIBody {
    /// The largest body an API accepts: 1 MiB. Larger ones get 413.
    public static let limit = 1 << 20

    /// Decodes a `T` from the request body, strictly:
    /// - over `limit` bytes → 413 `body-too-large`; cut short or badly chunked → 400
    ///   `malformed-body`; empty → 400 `empty-body`;
    /// - not UTF-8 → 400 `invalid-utf8`; not strict JSON (`StrictJSON`) → 400 `invalid-json`;
    /// - the same key twice in an object → 400 `duplicate-key` naming it, since another
    ///   reader of the same bytes might take the other value;
    /// - a number no Double can hold (`1e309`) → 422 `invalid-field` naming it;
    /// - a missing field, a wrong type or a bad value → 422 naming the field;
    /// - a field `T` does not know → 422 `unknown-field` naming it, rather than silently
    ///   dropping what the client meant to say (`experienceYear` for `experienceYears`).
    public static func decode<T: Codable>(_ type: T.Type, from request: Request) async throws(APIError) -> T {
        let buffer = try await collect(request)
        return try decode(type, from: Array(buffer.readableBytesView))
    }

    /// The request body, whole: over `maximum` bytes → 413 `body-too-large` (Hummingbird's own
    /// answer is a bare 413, without the API's error body); cut short or badly chunked → 400
    /// `malformed-body`.
    public static func collect(_ request: Request, upTo maximum: Int = limit) async throws(APIError) -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: maximum)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "body-too-large",
                message: "le corps dépasse \(maximum) octets / the body is larger than \(maximum) bytes")
        } catch {
            // A body cut short (the connection closed before Content-Length bytes came) or a
            // broken chunked encoding: the client's fault, not a size.
            throw APIError(
                .badRequest, code: "malformed-body",
                message: "corps incomplet ou mal formé / incomplete or malformed body (\(error))")
        }
    }

    /// The checks of `decode(_:from:)` on bytes already read.
    public static func decode<T: Codable>(_ type: T.Type, from bytes: [UInt8]) throws(APIError) -> T {
        guard !bytes.isEmpty else {
            throw APIError(.badRequest, code: "empty-body", message: "corps vide / empty body")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw APIError(
                .badRequest, code: "invalid-utf8",
                message: "le corps n’est pas de l’UTF-8 valide / the body is not valid UTF-8")
        }
        do throws(StrictJSON.Problem) {
            try StrictJSON.check(bytes)
        } catch {
            throw APIError(strict: error)
        }
        var document = JSONValue.null
        let value: T
        do throws(MessageError) {
            document = try CanonicalJSON.decode(JSONValue.self, from: bytes)
            guard case .object = document else {
                throw MessageError.notJSON(reason: "expected an object")
            }
            value = try CanonicalJSON.decode(T.self, from: bytes)
        } catch {
            if case .notJSON = error, case .object = document, let field = numberAtFault(T.self, in: document) {
                throw APIError.invalid(
                    field, french: "nombre non représentable pour ce champ (entier attendu, ou trop grand)",
                    english: "number this field cannot hold (an integer is expected, or it is too large)")
            }
            throw APIError(decoding: error)
        }
        // What T wrote back is what it understood; a non-null input field it did not write
        // back is one it does not know.
        if let echoed = try? CanonicalJSON.decode(JSONValue.self, from: CanonicalJSON.encode(value)),
            let unknown = unknownField(document, echoed, path: "")
        {
            throw APIError(
                .unprocessableContent, code: "unknown-field",
                message: "\(unknown) : champ inconnu / unknown field", field: unknown)
        }
        return value
    }

    /// A JSON response with `status`, in the canonical encoding the bus also uses.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let body = (try? CanonicalJSON.encode(value)) ?? Array("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The first path present (and not null) in `input` but absent from `echoed`.
    static func unknownField(_ input: JSONValue, _ echoed: JSONValue, path: String) -> String? {
        switch (input, echoed) {
        case (.object(let given), .object(let understood)):
            for key in given.keys.sorted() {
                let value = given[key]!
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let known = understood[key] else {
                    if case .null = value { continue }
                    return child
                }
                if let found = unknownField(value, known, path: child) { return found }
            }
            return nil
        case (.array(let given), .array(let understood)):
            for (index, value) in given.enumerated() where index < understood.count {
                if let found = unknownField(value, understood[index], path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
