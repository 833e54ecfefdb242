import CSV
import Foundation
import Hummingbird

/// A table as a CSV download for spreadsheets: UTF-8 with a byte-order mark (so that accents
/// open right), comma-separated, quoted where needed (CSV.swift's writer), exactly the rows given.
public enum CSVDownload {
    public static func response(_ rows: [[String]], filename: String) throws -> Response {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard let written = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw APIError(.internalServerError, code: "csv", message: "CSV non écrit / CSV not written")
        }
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(written)
        let safeName = String(
            filename.unicodeScalars.filter {
                $0.isASCII && ($0.properties.isAlphabetic || "-_0123456789".unicodeScalars.contains($0))
            }.map(Character.init))
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(safeName.isEmpty ? "export" : safeName).csv\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
