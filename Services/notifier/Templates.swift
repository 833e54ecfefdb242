import CodeLists
import Foundation
import GRDB

/// The texts the notifier sends, per language (French by default, English), written in the
/// GSM 03.38 alphabet so that a basic phone shows every letter; what is filled in (a title,
/// a city) is transliterated into it. An officer can replace any template without a rebuild:
/// a file `<templatesDir>/<language>/<name>.txt` wins over the built-in text.
struct Templates: Sendable {
    /// Built-in texts, by language then name. Placeholders: {ref} {title} {city} {country}
    /// {deadline} {employer} {answer}.
    static let builtIn: [String: [String: String]] = [
        "fr": [
            "match": "Passerelle MMEIA: offre {ref}, {title} a {city} ({country}), candidature avant le {deadline}. "
                + "Repondez OUI {ref} si interesse(e), NON {ref} sinon. STOP pour ne plus recevoir.",
            "reply-noted": "Passerelle: reponse {answer} notee pour l'offre {ref}. Merci.",
            "stop-confirmed":
                "Passerelle: vous ne recevrez plus de messages. Pour revenir, contactez le ministere (MMEIA).",
            "verify-open": "Passerelle: l'offre {ref} est enregistree au ministere et ouverte: {employer}, {country}, "
                + "candidature avant le {deadline}.",
            "verify-closed": "Passerelle: l'offre {ref} est enregistree au ministere mais fermee.",
            "verify-unknown": "ATTENTION: l'offre {ref} n'est PAS enregistree au ministere (MMEIA). "
                + "Ne payez rien et ne donnez pas vos papiers.",
            "help": "Passerelle: envoyez OUI <ref> ou NON <ref> pour repondre a une offre, VERIF <ref> pour verifier "
                + "une offre, STOP pour ne plus recevoir.",
        ],
        "en": [
            "match": "Passerelle MMEIA: job {ref}, {title} in {city} ({country}), apply by {deadline}. "
                + "Reply YES {ref} if interested, NO {ref} if not. STOP to receive no more.",
            "reply-noted": "Passerelle: answer {answer} recorded for job {ref}. Thank you.",
            "stop-confirmed":
                "Passerelle: you will receive no more messages. To come back, contact the ministry (MMEIA).",
            "verify-open": "Passerelle: job {ref} is registered with the ministry and open: {employer}, {country}, "
                + "apply by {deadline}.",
            "verify-closed": "Passerelle: job {ref} is registered with the ministry but closed.",
            "verify-unknown": "WARNING: job {ref} is NOT registered with the ministry (MMEIA). "
                + "Pay nothing and do not hand over your papers.",
            "help": "Passerelle: send YES <ref> or NO <ref> to answer a job offer, VERIF <ref> to check an offer, "
                + "STOP to receive no more.",
        ],
    ]

    let directory: String?

    /// The text of template `name` in `language` (French when it has none), with `values`
    /// filled in, transliterated into GSM-7.
    func render(_ name: String, language: String?, _ values: [String: String]) -> String {
        let language = Self.builtIn[language ?? "fr"] != nil ? (language ?? "fr") : "fr"
        var text = custom(name, language) ?? Self.builtIn[language]?[name] ?? Self.builtIn["fr"]![name] ?? name
        for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return GSM7.transliterate(text)
    }

    private func custom(_ name: String, _ language: String) -> String? {
        guard let directory else { return nil }
        let path = "\(directory)/\(language)/\(name).txt"
        return (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An offer's values for the templates; the country by its French or English name.
    static func values(offer: OfferFacts, language: String?) -> [String: String] {
        let country = CodeLists.countries[offer.country]
        return [
            "ref": offer.reference, "title": offer.title, "city": offer.city, "employer": offer.employer,
            "country": (language == "en" ? country?.nameEN : country?.nameFR) ?? offer.country,
            "deadline": offer.deadline ?? "-",
        ]
    }
}

/// What the notifier knows of an offer.
struct OfferFacts: Sendable {
    init(_ row: Row) {
        id = row["id"]
        reference = row["reference"] ?? row["id"]
        title = row["title"]
        country = row["country"]
        city = row["city"]
        employer = row["employer"]
        deadline = row["deadline"]
        status = row["status"]
    }

    var id: String
    var reference: String
    var title: String
    var country: String
    var city: String
    var employer: String
    var deadline: String?
    var status: String
}
