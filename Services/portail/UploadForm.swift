import Foundation
import Hummingbird
import MultipartKit

/// A form sent as `multipart/form-data` (the bulk import's file), read whole up to `limit`
/// bytes and split into its fields by MultipartKit's parser.
struct UploadForm {
    /// A field's value, and the file name the browser gave when it is a file.
    struct Field {
        var value: [UInt8] = []
        var fileName: String?
    }

    private(set) var fields: [String: Field] = [:]

    /// The text of a field that is not a file.
    subscript(_ name: String) -> String? {
        fields[name].map { String(decoding: $0.value, as: UTF8.self) }
    }

    static func read(_ request: Request, limit: Int) async throws -> UploadForm {
        guard let type = request.headers[.contentType], let boundary = boundary(type) else {
            throw HTTPError(
                .unsupportedMediaType,
                message: "Envoyez le formulaire en multipart/form-data. / Send the form as multipart/form-data.")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw HTTPError(
                .contentTooLarge,
                message: "Fichier trop gros : au plus \(limit / 1_048_576) Mo ; coupez-le en plusieurs fichiers. "
                    + "/ File too large: at most \(limit / 1_048_576) MB; split it into several files.")
        }
        var form = UploadForm()
        var name: String?
        var current = Field()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { header, value in
            guard header.lowercased() == "content-disposition" else { return }
            name = parameter("name", in: value)
            current.fileName = parameter("filename", in: value)
        }
        parser.onBody = { chunk in current.value.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            if let name, form.fields[name] == nil { form.fields[name] = current }
            name = nil
            current = Field()
        }
        do {
            try parser.execute(body)
        } catch {
            throw HTTPError(.badRequest, message: "Formulaire illisible. / Unreadable form.")
        }
        return form
    }

    /// The boundary of `multipart/form-data; boundary=…` (quoted or not).
    static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = part.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.count > 70 ? nil : String(value)
        }
        return nil
    }

    /// `name="value"` in a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard part.lowercased().hasPrefix(key + "=") else { continue }
            var value = part.dropFirst(key.count + 1)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return String(value)
        }
        return nil
    }

    /// An upload as UTF-8: a file that is not UTF-8 is read as Windows-1252 (what a
    /// spreadsheet saves « CSV » as on a ministry PC), so that « é » stays « é ».
    static func utf8(_ bytes: [UInt8]) -> [UInt8] {
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        let text = String(data: Data(bytes), encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
        return Array(text.utf8)
    }
}
