import Foundation
import ServiceTesting
import Synchronization

/// fakesmsc's side of ``RunningKannel``: the phones. It shows every SMS Kannel sends (MT) and
/// types SMS as if phones sent them (MO).
///
/// fakesmsc (kannel-extras 1.4.5) speaks one line per SMS: `SENDER RECEIVER TYPE DATA`, TYPE
/// `text` (DATA as is), `ucs2` (UTF-16BE, URL-encoded; fakesmsc prints it as `ucs-2`),
/// `data` (8-bit, URL-encoded) or `udh`. Run without messages on its command line, it reads
/// the lines to send from its standard input, and logs each line it receives on standard
/// error: `… DEBUG: Got message 1: <PASSERELLE +33612345678 text Offre …>`.
extension RunningKannel {
    /// Every SMS fakesmsc has received so far, in order.
    var sentMessages: [FakeSMSCMessage] {
        fakesmsc.stderr.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /Got message [0-9]+: <(.*)>$/).flatMap { FakeSMSCMessage(line: String($0.output.1)) }
        }
    }

    /// Waits (bounded) until fakesmsc has received `count` SMS; returns them all. fakesmsc
    /// looks at its link about once a second (it waits on its standard input in between).
    func waitForSentMessages(count: Int, timeout: Duration = .seconds(30)) async throws -> [FakeSMSCMessage] {
        do {
            return try await waitUntil("\(count) SMS at fakesmsc", timeout: timeout) {
                let messages = sentMessages
                return messages.count >= count ? messages : nil
            }
        } catch HarnessError.timedOut(let what, _) {
            throw HarnessError.timedOut(waitingFor: what, last: "fakesmsc's log:\n\(fakesmsc.stderr.suffix(2_000))")
        }
    }

    /// An SMS from the phone `sender` to the number `receiver`, typed into fakesmsc; returns
    /// once fakesmsc has passed it to bearerbox. As a phone would, `.ucs2` sends text that
    /// GSM-7 cannot hold (ARRÊT); `.text` passes the UTF-8 bytes on as they are.
    ///
    /// One at a time: fakesmsc reads its input with stdio, and a second line written before it
    /// took the first would wait in its buffer until more input comes.
    func receiveSMS(
        from sender: String, to receiver: String, text: String, coding: FakeSMSCCoding = .text
    )
        async throws
    {
        let data =
            switch coding {
            case .text: text
            case .ucs2: Array(text.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }.map(urlEncodedByte).joined()
            }
        let line = "\(sender) \(receiver) \(coding.rawValue) \(data)"
        guard !sender.contains(" "), !receiver.contains(" "), !line.contains("\n") else {
            throw KannelHarnessError.badLine("no space in a number, no line break: \(line)")
        }
        // fakesmsc's fgets reads 255 bytes of a line: the rest would be another SMS.
        guard line.utf8.count < 255 else { throw KannelHarnessError.badLine("over 254 bytes: \(line)") }
        let number = try typing.type(line)
        _ = try await fakesmsc.waitForStderr("fakesmsc: sent message \(number)\\b")
    }
}

/// How fakesmsc sends an SMS to Kannel (an MO).
enum FakeSMSCCoding: String, Sendable {
    /// GSM-7 on the air; fakesmsc passes the bytes of the line on, so UTF-8 arrives as UTF-8.
    case text
    /// UCS-2: what a phone sends for text GSM-7 cannot hold.
    case ucs2
}

/// One SMS as fakesmsc printed it.
struct FakeSMSCMessage: Equatable, Sendable, CustomStringConvertible {
    var sender: String
    var receiver: String
    /// `text`, `ucs-2`, `data` or `udh`, as fakesmsc printed it.
    var type: String
    /// The text: as printed for `text`, decoded for `ucs-2` and `data`.
    var text: String
    /// For a part of a long SMS (`udh`), its number from 1.
    var part: Int? = nil

    init(sender: String, receiver: String, type: String, text: String) {
        (self.sender, self.receiver, self.type, self.text) = (sender, receiver, type, text)
    }

    /// Parses `SENDER RECEIVER TYPE DATA`.
    init?(line: String) {
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return nil }
        (sender, receiver, type) = (fields[0], fields[1], fields[2])
        switch type {
        case "ucs-2":
            let bytes = urlDecodedBytes(fields[3])
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            text = String(decoding: units, as: UTF16.self)
        case "data": text = String(decoding: urlDecodedBytes(fields[3]), as: UTF8.self)
        case "udh":
            // One part of a long SMS: `UDH data PAYLOAD`; the payload is the part's text.
            let pieces = fields[3].components(separatedBy: " data ")
            text = String(decoding: urlDecodedBytes(pieces.last ?? ""), as: UTF8.self)
            part = urlDecodedBytes(pieces.first ?? "").last.map(Int.init)
        default: text = fields[3]
        }
    }

    var description: String { "\(sender) → \(receiver) [\(type)] \(text)" }
}

extension [FakeSMSCMessage] {
    /// The messages as a phone shows them: the parts of a long SMS (consecutive `udh`
    /// messages to one receiver) joined into one.
    var asShown: [FakeSMSCMessage] {
        var shown: [FakeSMSCMessage] = []
        for message in self {
            if let part = message.part, part > 1, let last = shown.last, last.receiver == message.receiver {
                shown[shown.count - 1].text += message.text
            } else {
                shown.append(message)
            }
        }
        return shown
    }
}

/// fakesmsc's standard input. The test keeps a second descriptor on the pipe's reading end
/// open, so that a line written after fakesmsc died fails quietly instead of raising SIGPIPE
/// in the test process.
final class FakeSMSCKeyboard: Sendable {
    let pipe = Pipe()
    private let readerKeptOpen: Int32
    private let typed = Mutex(0)

    init() {
        readerKeptOpen = dup(pipe.fileHandleForReading.fileDescriptor)
    }

    /// Writes `line` and returns its number: fakesmsc says "sent message N" once it sent it.
    func type(_ line: String) throws -> Int {
        try typed.withLock { typed in
            try pipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
            typed += 1
            return typed
        }
    }

    deinit { close(readerKeptOpen) }
}

/// `%XX` for a byte, unless it is an ASCII letter or digit.
private func urlEncodedByte(_ byte: UInt8) -> String {
    let unreserved = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    return unreserved ? String(Unicode.Scalar(byte)) : String(format: "%%%02X", byte)
}

/// Kannel's URL decoding: `+` is a space, `%XX` a byte.
func urlDecodedBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var input = Array(text.utf8)[...]
    while let byte = input.popFirst() {
        if byte == UInt8(ascii: "+") {
            bytes.append(0x20)
        } else if byte == UInt8(ascii: "%"), input.count >= 2,
            let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            input = input.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return bytes
}
