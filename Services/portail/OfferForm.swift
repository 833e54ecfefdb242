import CodeLists
import Foundation
import Messages

/// The offer form: its fields in order, what an officer typed, and the owner's errors next to
/// the field they name. The registry validates; Portail only carries the values across.
struct OfferForm {
    /// One field as the template draws it.
    struct Field {
        var name: String
        var label: String
        var value: String
        var error: String?
        var kind: String
        var options: [[String: Any]] = []
        var required = false
        var hint: String?

        var model: [String: Any] {
            var model: [String: Any] = [
                "name": name, "id": "f-" + name.replacingOccurrences(of: ".", with: "-"), "label": label,
                "value": value,
                kind: true, "options": options, "required": required, "checked": value == "oui",
            ]
            if let error { model["error"] = error }
            if let hint { model["hint"] = hint }
            return model
        }
    }

    var values: [String: String]
    var errors: [String: String] = [:]

    /// The fields, with the code lists' French names.
    var fields: [Field] {
        func text(
            _ name: String, _ label: String, kind: String = "text", required: Bool = true, hint: String? = nil
        )
            -> Field
        {
            Field(
                name: name, label: tr(label), value: values[name] ?? "", error: errors[name], kind: kind,
                required: required, hint: hint.map(tr))
        }
        func choice(_ name: String, _ label: String, _ options: [(String, String)], required: Bool = true) -> Field {
            var field = text(name, label, kind: "select", required: required)
            field.options = options.map { ["code": $0.0, "name": tr($0.1), "selected": $0.0 == (values[name] ?? "")] }
            return field
        }
        return [
            text("title", "Intitulé du poste"),
            text(
                "occupation", "Métier (CITP-08 : tapez un mot ou un code)", kind: "isco",
                hint: "Code à quatre chiffres de la CITP-08, par ex. 9211."),
            choice("country", "Pays de destination", CodeLists.countries.entries.map { ($0.code, $0.name) }),
            text("city", "Ville"),
            text("employer.name", "Employeur"),
            text("employer.registration", "Numéro d’enregistrement de l’employeur", required: false),
            text("positions", "Nombre de postes", kind: "number"),
            choice(
                "contract", "Contrat",
                [
                    ("seasonal", "Saisonnier"), ("fixed-term", "Durée déterminée"), ("permanent", "Durée indéterminée"),
                    ("apprenticeship", "Apprentissage"),
                ]),
            text("startDate", "Début", kind: "date"),
            text("endDate", "Fin", kind: "date", required: false),
            text("applicationDeadline", "Date limite de candidature", kind: "date", required: false),
            text("salary.amount", "Salaire", kind: "number"),
            choice(
                "salary.currency", "Monnaie",
                CodeLists.currencies.entries.map { ($0.code, "\($0.code) — \($0.name)") }),
            choice("salary.period", "Par", [("month", "mois"), ("hour", "heure"), ("year", "an")]),
            choice(
                "requirements.language", "Langue exigée",
                [("", "aucune")] + CodeLists.languages.entries.map { ($0.code, $0.name) },
                required: false),
            choice(
                "requirements.level", "Niveau (CECRL)", ["A1", "A2", "B1", "B2", "C1", "C2"].map { ($0, $0) },
                required: false),
            text("requirements.experienceYears", "Années d’expérience", kind: "number", required: false),
            text("conditions.workerFees", "Frais demandés au travailleur (0 pour une offre légale)", kind: "number"),
            text("conditions.housing", "Logement fourni", kind: "checkbox", required: false),
            text("conditions.travelPaid", "Voyage payé", kind: "checkbox", required: false),
        ]
    }

    /// The registry's JSON: numbers where the officer typed one, the text as it is otherwise
    /// (so that the registry names the field and says why).
    var json: [String: Any] {
        func number(_ name: String) -> Any {
            let text = (values[name] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(
                of: ",", with: ".")
            if let whole = Int(text) { return whole }
            if let decimal = Double(text) { return decimal }
            return text
        }
        func string(_ name: String) -> String? {
            let text = (values[name] ?? "").trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
        let occupation = String((values["occupation"] ?? "").trimmingCharacters(in: .whitespaces).prefix { $0 != " " })
        var employer: [String: Any] = ["name": string("employer.name") ?? ""]
        if let registration = string("employer.registration") { employer["registration"] = registration }
        var requirements: [String: Any] = [:]
        if let language = string("requirements.language") {
            requirements["languages"] = [["code": language, "level": string("requirements.level") ?? "A1"]]
        }
        if string("requirements.experienceYears") != nil {
            requirements["experienceYears"] = number("requirements.experienceYears")
        }
        var offer: [String: Any] = [
            "title": string("title") ?? "", "occupation": occupation, "country": string("country") ?? "",
            "city": string("city") ?? "", "employer": employer, "positions": number("positions"),
            "contract": string("contract") ?? "", "startDate": string("startDate") ?? "",
            "salary": [
                "amount": number("salary.amount"), "currency": string("salary.currency") ?? "",
                "period": string("salary.period") ?? "month",
            ],
            "requirements": requirements,
            "conditions": [
                "housing": values["conditions.housing"] != nil, "travelPaid": values["conditions.travelPaid"] != nil,
                "workerFees": number("conditions.workerFees"),
            ],
        ]
        for name in ["endDate", "applicationDeadline"] { if let date = string(name) { offer[name] = date } }
        // An edit carries the version it read: the registry refuses it if the offer changed since.
        if let version = string("version").flatMap(Int.init) { offer["version"] = version }
        return offer
    }

    /// Where an error of the registry goes: its field, or the nearest one the form has.
    mutating func place(_ message: String, field: String?) {
        let known = Set(fields.map(\.name))
        var name = field ?? ""
        if name.hasPrefix("requirements.languages") { name = "requirements.language" }
        if !known.contains(name) { name = known.first { name.hasPrefix($0) } ?? "" }
        errors[name.isEmpty ? "_form" : name] = message
    }

    /// The ISCO-08 unit groups for the picker: « 9211 — Manœuvres agricoles … ».
    static var occupations: [[String: String]] {
        CodeLists.isco.unitGroups.map { ["value": "\($0.code) — \($0.title)"] }
    }
}

extension OfferForm {
    /// The form filled with an offer as the registry holds it (to edit it), with the version read.
    init(offer: Offer) {
        var values: [String: String] = [
            "title": offer.title,
            "occupation": CodeLists.isco[offer.occupation].map { "\($0.code) — \($0.title)" } ?? offer.occupation,
            "country": offer.country, "city": offer.city, "employer.name": offer.employer.name,
            "employer.registration": offer.employer.registration, "positions": "\(offer.positions)",
            "contract": offer.contract.rawValue, "startDate": offer.startDate.description,
            "salary.amount": Self.number(offer.salary.amount), "salary.currency": offer.salary.currency,
            "salary.period": offer.salary.period.rawValue,
            "requirements.experienceYears": "\(offer.requirements.experienceYears)",
            "conditions.workerFees": Self.number(offer.conditions.workerFees), "version": "\(offer.version ?? 1)",
        ]
        if let end = offer.endDate { values["endDate"] = end.description }
        if let deadline = offer.applicationDeadline { values["applicationDeadline"] = deadline.description }
        if let language = offer.requirements.languages.first {
            values["requirements.language"] = language.code
            values["requirements.level"] = language.level.rawValue
        }
        if offer.conditions.housing { values["conditions.housing"] = "oui" }
        if offer.conditions.travelPaid { values["conditions.travelPaid"] = "oui" }
        self.init(values: values)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\(value)"
    }
}
