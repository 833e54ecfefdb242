import Foundation
import HTTPTypes
import Hummingbird
import Messages

/// An error an HTTP API returns to its client: a 4xx status and the binding body
/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
///
/// `message` is written for the officer or agency reading it: French first, then English,
/// separated by " / ". `code` is stable, for programs; `field` is the JSON path of the field
/// at fault (`requirements.languages[0].level`), when there is one.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// A field that is present but not acceptable (422).
    public static func invalid(_ field: String, french: String, english: String) -> APIError {
        APIError(
            .unprocessableContent, code: "invalid-field", message: "\(field) : \(french) / \(english)", field: field)
    }

    /// A required field that is absent (422).
    public static func missing(_ field: String) -> APIError {
        APIError(
            .unprocessableContent, code: "missing-field",
            message: "\(field) : champ obligatoire absent / required field is missing", field: field)
    }

    public static func notFound(_ what: String, id: String) -> APIError {
        APIError(.notFound, code: "not-found", message: "\(what) \(id) introuvable / \(what) \(id) not found")
    }

    /// The same fault found in a query parameter rather than a body: 400 `invalid-parameter`.
    public var asParameter: APIError {
        APIError(.badRequest, code: "invalid-parameter", message: message, field: field)
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The error as it travels: JSON, `Content-Type: application/json`.
    public var response: Response {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        let body = (try? CanonicalJSON.encode(JSONValue.object(["error": .object(error)]))) ?? []
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

extension APIError {
    /// Translates what the shared decoder reports about a body into the API's terms.
    init(decoding error: MessageError) {
        switch error {
        case .notJSON(let reason):
            self.init(
                .badRequest, code: "invalid-json",
                message: "le corps n’est pas du JSON valide (\(reason)) / the body is not valid JSON (\(reason))")
        case .missingField(let field):
            self = .missing(field)
        case .wrongType(let field, let expected):
            self.init(
                .unprocessableContent, code: "wrong-type",
                message: "\(field) : type incorrect, attendu \(expected) / wrong type, expected \(expected)",
                field: field)
        case .invalidField(let field, let reason):
            self.init(
                .unprocessableContent, code: "invalid-field",
                message: "\(field) : valeur invalide (\(reason)) / invalid value (\(reason))", field: field)
        default:
            self.init(.badRequest, code: "invalid-body", message: "corps invalide / invalid body: \(error)")
        }
    }
}

extension APIError {
    /// Translates what the strict scan of a body (`StrictJSON`) finds into the API's terms.
    init(strict problem: StrictJSON.Problem) {
        let field = problem.path.isEmpty ? nil : problem.path
        switch problem.kind {
        case .duplicateKey:
            self.init(
                .badRequest, code: "duplicate-key",
                message: "\(problem.path) : clé présente deux fois dans le même objet / "
                    + "key given twice in the same object", field: field)
        case .numberOutOfRange where field != nil:
            self = .invalid(
                problem.path, french: "nombre hors des limites d’un flottant 64 bits",
                english: "number out of the range of a 64-bit floating-point number")
        default:
            // The path is in the message; `field` stays for a field whose value is at fault.
            self.init(
                .badRequest, code: "invalid-json",
                message:
                    "le corps n’est pas du JSON valide (\(problem)) / the body is not valid JSON (\(problem))")
        }
    }
}
