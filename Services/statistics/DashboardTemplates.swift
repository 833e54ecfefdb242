/// The dashboard's Mustache templates (swift-mustache escapes every `{{value}}`), compiled
/// into the executable so that it ships as one file.
enum DashboardTemplates {
    static let all: [String: String] = ["page": page, "bars": bars, "columns": columns, "table": table]

    static let page = """
        <!DOCTYPE html>
        <html lang="fr">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Passerelle — Statistiques de la migration de travail</title>
        <link rel="stylesheet" href="/tableau.css">
        </head>
        <body>
        <header>
        <h1>Passerelle — Statistiques de la migration de travail légale</h1>
        <p lang="en" class="en">Passerelle — legal labour migration statistics (Ministry of Malians Abroad)</p>
        <p>Ministère des Maliens établis à l’extérieur et de l’Intégration africaine. Données du {{generated}}.</p>
        {{#isPublic}}<p class="note">Vue publique : tout effectif de moins de {{threshold}} personnes est remplacé par « {{hiddenText}} » ; les cases qui permettraient de le retrouver par soustraction sont masquées par « {{maskedText}} » (secret statistique) ; « nd » : tableau non diffusé, aucun masquage ne le protégeant. <span lang="en">Public view: counts under {{threshold}} people are shown as “{{hiddenText}}”; the cells that would let them be worked out by subtraction are masked as “{{maskedText}}”; “nd”: table withheld, as no masking protects it.</span></p>{{/isPublic}}
        {{^isPublic}}<p class="note">Vue agents : effectifs exacts. <span lang="en">Officers' view: exact counts.</span></p>{{/isPublic}}
        </header>
        <main>
        <section aria-labelledby="chiffres">
        <h2 id="chiffres">Chiffres clés <span lang="en" class="en">Key figures</span></h2>
        <ul class="figures">
        {{#figures}}<li><span class="figure">{{value}}</span> <span class="caption">{{label}}</span></li>
        {{/figures}}
        </ul>
        </section>
        {{#charts}}
        <section aria-labelledby="{{id}}-title">
        <figure data-chart="{{id}}">
        <figcaption id="{{id}}-title"><strong>{{title}}</strong> <span lang="en" class="en">{{titleEN}}</span></figcaption>
        {{#bars}}{{> bars}}{{/bars}}{{#columns}}{{> columns}}{{/columns}}
        {{#empty}}<p>Aucune donnée pour l’instant. <span lang="en">No data yet.</span></p>{{/empty}}
        {{#table}}{{> table}}{{/table}}
        {{#notes}}<p class="note">{{fr}} <span lang="en">{{en}}</span></p>{{/notes}}
        </figure>
        </section>
        {{/charts}}
        <section aria-labelledby="donnees">
        <h2 id="donnees">Données et méthode <span lang="en" class="en">Data and method</span></h2>
        <p>Toutes les tables, en JSON ou en CSV : <a href="/stats">/stats</a> (par exemple <a href="/stats/destination?format=csv">/stats/destination?format=csv</a>). Seuls les candidats qui ont accepté l’usage statistique de leurs données sont comptés.</p>
        <p lang="en">Every table as JSON or CSV at /stats. Only candidates who consented to statistics are counted.</p>
        </section>
        </main>
        </body>
        </html>

        """

    static let bars = """
        <svg viewBox="0 0 {{width}} {{height}}" width="100%" role="img" aria-labelledby="{{id}}-title" xmlns="http://www.w3.org/2000/svg">
        {{#bars}}<text x="{{labelX}}" y="{{textY}}" text-anchor="end" class="label">{{short}}</text>
        {{#shown}}<rect x="{{barX}}" y="{{barY}}" width="{{length}}" height="{{thickness}}" class="bar" data-value="{{value}}"><title>{{label}} : {{value}}</title></rect><text x="{{valueX}}" y="{{textY}}" class="value">{{value}}</text>{{/shown}}
        {{^shown}}<text x="{{barX}}" y="{{textY}}" class="value hidden">{{mark}}</text>{{/shown}}
        {{/bars}}</svg>
        """

    static let columns = """
        <svg viewBox="0 0 {{width}} {{height}}" width="100%" role="img" aria-labelledby="{{id}}-title" xmlns="http://www.w3.org/2000/svg">
        <line x1="30" y1="{{axisY}}" x2="{{width}}" y2="{{axisY}}" class="axis"/>
        {{#months}}{{#marks}}{{#shown}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" class="bar s{{series}}" data-value="{{value}}"><title>{{monthLabel}}, {{seriesName}} : {{value}}</title></rect>{{/shown}}{{^shown}}<text x="{{x}}" y="{{axisY}}" class="value hidden small">{{mark}}</text>{{/shown}}{{/marks}}
        <text x="{{x}}" y="{{labelY}}" class="label small" transform="rotate(35 {{x}} {{labelY}})">{{label}}</text>
        {{/months}}{{#legend}}<rect x="{{x}}" y="{{legendY}}" width="12" height="12" class="bar s{{series}}"/><text x="{{textX}}" y="{{legendTextY}}" class="label small">{{name}}</text>
        {{/legend}}</svg>
        """

    static let table = """
        <div class="table" role="region" aria-label="{{caption}}" tabindex="0">
        <table>
        <caption>{{caption}}</caption>
        <thead><tr>{{#headers}}<th scope="col">{{.}}</th>{{/headers}}</tr></thead>
        <tbody>
        {{#rows}}<tr><th scope="row">{{label}}</th>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
        {{/rows}}
        </tbody>
        {{#total}}<tfoot><tr><th scope="row">Total</th>{{#cells}}<td>{{.}}</td>{{/cells}}</tr></tfoot>{{/total}}
        </table>
        </div>
        """

    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1b1b1b; line-height: 1.4; }
        h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
        .en { color: #555; font-size: 0.9em; font-weight: normal; }
        .note { font-size: 0.9rem; color: #333; background: #f3f6f9; padding: 0.5rem; border-left: 4px solid #14746f; }
        .figures { display: flex; flex-wrap: wrap; gap: 0.75rem; list-style: none; padding: 0; }
        .figures li { border: 1px solid #ccd; border-radius: 6px; padding: 0.5rem 0.75rem; min-width: 9rem; }
        .figure { display: block; font-size: 1.6rem; font-weight: bold; color: #14746f; }
        figure { margin: 1.5rem 0; }
        figcaption { font-size: 1.1rem; margin-bottom: 0.5rem; }
        svg { max-width: 100%; height: auto; }
        svg .bar { fill: #14746f; }
        svg .bar.s1 { fill: #e0a100; }
        svg .label, svg .value { font-size: 13px; fill: #1b1b1b; }
        svg .small { font-size: 11px; }
        svg .hidden { fill: #8a1c1c; }
        svg .axis { stroke: #888; }
        .table { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; font-size: 0.9rem; margin-top: 0.5rem; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
        th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
        th[scope=row] { text-align: left; font-weight: normal; }
        tfoot th, tfoot td { font-weight: bold; }

        """
}
