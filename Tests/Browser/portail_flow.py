#!/usr/bin/env python3
"""portail_flow.py: an officer's and a supervisor's day in Portail, in a real Chromium.

    python3 portail_flow.py --base URL --officer NAME --supervisor NAME --password P --screenshots DIR
                            [--expect-audit-names] [--chromium PATH] [--timeout SECONDS]

One headless Chromium (Debian's, at --chromium, /usr/bin/chromium by default; Playwright
downloads no browser of its own), one browser context, the same launch flags and the same
blocking of every other origin as check_page.py (browser_common.py). Every form is filled
through its labels and every button found by its role and French name, as a person would, so
that the labels are tested too. The steps, each with a full-page screenshot DIR/NN-name.png:

    01-connexion                /offres without a session sends to /connexion; the officer fills it in
    02-offres                   signed in: the offers list, still empty
    03-nouvelle-offre           « Nouvelle offre », filled in: an offer that charges worker fees
    04-offre-signalee           saved, held « En attente de revue », the fee flag explained, no « Approuver »
    05-deconnexion              « Se déconnecter »; the offer's page now asks to sign in
    06-connexion-superviseur    the supervisor signs in and lands back on the offer, « Approuver » offered
    07-offre-approuvee          approved: « Ouverte », the history's « Création » and « Approbation »
                                (with --expect-audit-names, each naming its user)
    08-candidat-formulaire      « Candidats » then « Inscrire un candidat », filled in, three consents ticked
    09-candidat-fiche           « Candidat enregistré. », the consents as given
    10-candidats-classes        the offer's ranked candidates (reloaded until the matcher has paired
                                them, bounded by --timeout), the score's breakdown in French
    11-export-csv               the offers list's « Exporter la liste (CSV) » downloaded: a byte-order
                                mark, the table's header cells as its header, the offer's row
    12-effacer-confirmation     the candidate's « Effacer ce candidat », both confirmations given
    13-effacement               erased: a search by the reference finds no one
    14-import                   « Import »: a CSV of three candidates uploaded, one of them wrong; the page
                                reloads itself until « Import terminé »: 2 created, 1 rejected; the
                                rejects file downloaded: a byte-order mark, line, field, code, message,
                                then the row

The flow stops at the first step that fails (later steps are not in the report). A console
error, an uncaught page error, a failed request, a failed subresource, a page answered with
HTTP 400 or more, or a request to another origin fails the step during which it happened.
One JSON report goes to standard output:

    {"ok", "steps": [{"name", "ok", "detail", "screenshot"}], "consoleErrors": [{kind, text, url}],
     "externalRequests": [{url, resourceType}], "csv": {"header": [...], "rows": N} or null,
     "offer": id or null, "candidate": id or null, "browser", "playwright", "elapsedMs"}

Exit status: 0 ok, 1 a step failed (the report says which and why), 2 a usage error or a
browser that cannot start (the reason on standard error, no report).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import time
from urllib.parse import urlsplit

from browser_common import (DEFAULT_CHROMIUM, EXIT_NOT_OK, EXIT_OK, EXIT_USAGE, Watch, chromium_problem, launch,
                            origin_of, playwright_problem, playwright_version, positive_seconds, start_watchdog)

PROGRAM = "portail_flow.py"

# What the officer types. The title has a comma, an ampersand and a typographic apostrophe:
# escaped in the pages, quoted in the CSV.
OFFER = {
    "title": "Cueilleur de fraises & d’agrumes, saison 2027",
    "occupation": "9211",
    "country": "Espagne",
    "city": "Huelva",
    "employer": "Fresas del Sur SL",
    "registration": "B21000001",
    "positions": "12",
    "contract": "Saisonnier",
    "start": "2027-03-01",
    "end": "2027-06-30",
    "deadline": "2027-01-15",
    "salary": "1260",
    "currency": "EUR",
    "period": "mois",
    "language": "espagnol",
    "level": "A1",
    "experience": "1",
    "fees": "300",
}
CANDIDATE = {
    "given": "Fatoumata", "family": "Diarra", "gender": "Femme", "year": "1996", "region": "Sikasso",
    "phone": "+22376123456", "occupation": "9211", "experience": "3", "education": "2",
    "language": "espagnol", "level": "A2", "destinations": "ES", "available": "2027-01-01",
}
# Three candidates for the bulk import; Mariam's gender is wrong, so she is rejected.
IMPORT_CSV = (
    "name.given,name.family,gender,birthYear,region,residence,contact.phone,contact.preferredChannel,"
    "contact.language,occupations,experienceYears,education,languages,destinations,availableFrom,"
    "consent.matching,consent.notifications,consent.statistics\n"
    "Oumou,Sangaré,F,1994,ML-3,ML,+22376555001,sms,fr,9211,2,2,fr:B1,ES,2027-01-01,oui,oui,oui\n"
    "Issa,Coulibaly,M,1991,ML-3,ML,+22376555002,sms,fr,9211,4,2,fr:B1,ES,2027-01-01,oui,oui,non\n"
    "Mariam,Keïta,Z,1999,ML-3,ML,+22376555003,sms,fr,9211,1,2,fr:B1,ES,2027-01-01,oui,oui,oui\n"
)
CONSENTS = [
    "vous proposer des offres d’emploi à l’étranger",
    "être prévenu par SMS des offres qui vous correspondent",
    "dans les statistiques du ministère",
]
FEE_EXPLANATION = "Des frais sont demandés au travailleur : une offre légale n’en demande aucun."
# Rules the ranking must explain for this pair (the matcher's names, in French).
RULES = ["Métier", "Langues", "Destination", "Disponibilité"]


class StepFailed(Exception):
    pass


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Drive Portail through a whole flow in headless Chromium (Playwright); screenshots and a JSON report.",
        epilog="Exit status: 0 ok, 1 a step failed (report printed), 2 usage error or the browser cannot start.",
    )
    parser.add_argument("--base", required=True, help="Portail's address, http://host:port")
    parser.add_argument("--officer", required=True, metavar="NAME", help="an officer's user name")
    parser.add_argument("--supervisor", required=True, metavar="NAME", help="a supervisor's user name")
    parser.add_argument("--password", required=True, help="both users' password")
    parser.add_argument("--screenshots", required=True, metavar="DIR", help="NN-name.png of every step written here")
    parser.add_argument("--expect-audit-names", action="store_true",
                        help="the offer's history must name the officer (creation) and the supervisor (approval); "
                             "the registry's audit knows them when Portail calls it with its API key")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="SECONDS",
                        help="bound of each navigation and action, and of the wait for the match (default 30)")
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM, metavar="PATH",
                        help="Chromium executable (default /usr/bin/chromium, Debian's package)")
    arguments = parser.parse_args(argv)
    parts = urlsplit(arguments.base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        parser.error(f"--base must be an http:// or https:// address without a path, not {arguments.base!r}")
    arguments.base = arguments.base.rstrip("/")
    return arguments


def fail_to_start(message: str) -> int:
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    return EXIT_USAGE


def first_line(error: BaseException) -> str:
    """The error's first line, and what Playwright was waiting for (from its call log)."""
    text = (getattr(error, "message", None) or str(error) or repr(error)).strip()
    if not text:
        return type(error).__name__
    lines = text.splitlines()
    waiting = next((line.strip(" -") for line in lines[1:] if line.strip(" -").startswith("waiting for")), None)
    return f"{lines[0]}, {waiting}" if waiting else lines[0]


class Flow:
    """The browser page, what the steps learned (ids, the CSV), and the report's steps."""

    def __init__(self, page, watch: Watch, arguments: argparse.Namespace):
        self.page = page
        self.watch = watch
        self.arguments = arguments
        self.base = arguments.base
        self.steps: list[dict] = []
        self.offer_id: str | None = None
        self.offer_path: str | None = None
        self.candidate_id: str | None = None
        self.csv: dict | None = None
        # Alerts (role="alert") on pages of this flow, where none is expected: [{step, path, text}].
        self.alerts: list[dict] = []
        self.step_name = ""
        self.documents_before = 0
        # Top-level documents answered 400 or more: [(status, method, url)].
        self.bad_documents: list[tuple[int, str, str]] = []
        self.shot_taken = False
        page.on("response", self._on_response)

    def _on_response(self, response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None and response.status >= 400:
            self.bad_documents.append((response.status, request.method, response.url))

    # --- running steps ---

    def run(self, number: int, name: str, body) -> bool:
        """Runs one step; records it; False when it failed."""
        errors_before = len(self.watch.console_errors)
        external_before = len(self.watch.external)
        documents_before = self.documents_before = len(self.bad_documents)
        self.shot_taken = False
        self.step_name = name
        self.screenshot_path = os.path.join(self.arguments.screenshots, f"{number:02d}-{name}.png")
        step = {"name": name, "ok": False, "detail": "", "screenshot": None}
        try:
            step["detail"] = body() or ""
            step["ok"] = True
        except StepFailed as failure:
            step["detail"] = f"{failure} (at {self.where()})"
        except Exception as error:  # noqa: BLE001 - Playwright's timeouts and errors, reported as the step's
            step["detail"] = f"{type(error).__name__}: {first_line(error)} (at {self.where()})"
        if step["ok"]:
            self.note_alerts()
        problems = []
        for status, method, url in self.bad_documents[documents_before:]:
            refused = f"{method} {self.local(url)} answered HTTP {status}"
            if refused not in step["detail"]:
                problems.append(refused)
        for error in self.watch.console_errors[errors_before:]:
            problems.append(f"{error['kind']}: {error['text']}")
        for request in self.watch.external[external_before:]:
            problems.append(f"request to another origin blocked ({request['resourceType']}): {request['url']}")
        if problems:
            step["ok"] = False
            step["detail"] = "; ".join(([step["detail"]] if step["detail"] else []) + problems)
        if not self.shot_taken:
            self.shot()
        step["screenshot"] = self.screenshot_path if os.path.exists(self.screenshot_path) else None
        self.steps.append(step)
        return step["ok"]

    def shot(self) -> None:
        """The step's full-page screenshot, now (a step takes it before it leaves the page)."""
        try:
            os.makedirs(self.arguments.screenshots, exist_ok=True)
            self.page.screenshot(path=self.screenshot_path, full_page=True)
        except Exception:  # noqa: BLE001 - no screenshot is reported as "screenshot": null
            pass
        self.shot_taken = True
        self.note_alerts()

    def note_alerts(self) -> None:
        """Keeps what the page shows in role="alert": nothing in this flow should raise one.
        Not a step's failure (the flow goes on), but the report's `ok` is false."""
        try:
            texts = [text.strip() for text in self.page.get_by_role("alert").all_inner_texts()]
        except Exception:  # noqa: BLE001 - a page going away has no alert to read
            return
        for text in texts:
            alert = {"step": self.step_name, "path": self.path(), "text": text}
            if alert not in self.alerts:
                self.alerts.append(alert)

    # --- reading the page ---

    def local(self, url: str) -> str:
        return url[len(self.base):] if url.startswith(self.base) else url

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def where(self) -> str:
        """The page's address, its heading and any alert: what a failure message needs."""
        try:
            heading = self.page.locator("h1").first.inner_text(timeout=1_000).strip()
        except Exception:  # noqa: BLE001
            heading = "?"
        try:
            alerts = [text.strip() for text in self.page.get_by_role("alert").all_inner_texts() if text.strip()]
        except Exception:  # noqa: BLE001
            alerts = []
        said = f", alert « {' | '.join(alerts)} »" if alerts else ""
        return f"{self.path()}, heading « {heading} »{said}"

    def expect_path(self, pattern: str) -> re.Match:
        """Waits (bounded) until the address's path and query match `pattern` (a whole match);
        a page answered with HTTP 400 or more during this step ends the wait at once."""
        regex = re.compile(pattern)
        shown = pattern.replace("\\", "")
        refused = self.documents_before
        deadline = time.monotonic() + self.arguments.timeout
        while True:
            match = regex.fullmatch(self.path())
            if match:
                self.page.wait_for_load_state()
                return match
            if len(self.bad_documents) > refused:
                status, method, url = self.bad_documents[refused]
                raise StepFailed(f"expected to be at {shown}, {method} {self.local(url)} answered HTTP {status}")
            if time.monotonic() > deadline:
                raise StepFailed(f"expected to be at {shown} within {self.arguments.timeout:g} s")
            self.page.wait_for_timeout(100)

    def local_path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def expect_heading(self, text: str) -> None:
        heading = self.page.get_by_role("heading", level=1)
        try:
            heading.filter(has_text=text).wait_for()
        except Exception:  # noqa: BLE001
            raise StepFailed(f"expected the heading « {text} »") from None

    def expect_text(self, text: str, within: str = "main") -> None:
        """`text` visible in the page (in `within`), waiting (bounded)."""
        try:
            self.page.locator(within).get_by_text(text, exact=False).first.wait_for(state="visible")
        except Exception:  # noqa: BLE001
            raise StepFailed(f"expected « {text} » on the page") from None

    def fact(self, term: str) -> str:
        """The <dd> after the <dt> `term` in the page's facts."""
        return self.page.locator(f"dl.facts dt:text-is('{term}') + dd").inner_text().strip()

    def table(self, caption: str) -> tuple[list[str], list[list[str]]]:
        """A table's header cells and its body rows' cells, found by its caption."""
        table = self.page.get_by_role("table", name=caption)
        header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
        rows = [[text.strip() for text in row.locator("th, td").all_inner_texts()]
                for row in table.locator("tbody tr").all()]
        return header, rows

    def field(self, label: str):
        """The form control labelled exactly `label` (a required field's label ends with « * »)."""
        return self.page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"(\s*\*)?\s*$"))

    def click(self, role: str, name: str, exact: bool = True) -> None:
        self.page.get_by_role(role, name=name, exact=exact).click()

    def download_csv(self, link: str) -> tuple[str, bytes, list[list[str]]]:
        """Clicks the link, and reads the CSV it downloads: its name, bytes and records (UTF-8
        with a byte-order mark, as every CSV Portail gives)."""
        with self.page.expect_download() as waiting:
            self.click("link", link)
        download = waiting.value
        if download.failure():
            raise StepFailed(f"the download failed: {download.failure()}")
        with open(download.path(), "rb") as file:
            body = file.read()
        name = download.suggested_filename
        if not body.startswith(b"\xef\xbb\xbf"):
            raise StepFailed(f"{name} has no UTF-8 byte-order mark: {body[:40]!r}")
        return name, body, list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))

    # --- the steps ---

    def connexion(self) -> str:
        self.page.goto(self.base + "/offres")
        self.expect_path(r"/connexion\?suite=.*")
        self.expect_heading("Connexion")
        self.page.get_by_label("Identifiant").fill(self.arguments.officer)
        self.page.get_by_label("Mot de passe").fill(self.arguments.password)
        self.shot()
        self.click("button", "Se connecter")
        return f"/offres sent to the sign-in form; filled in as {self.arguments.officer}"

    def offres(self) -> str:
        self.expect_path(r"/offres")
        self.expect_heading("Offres")
        self.expect_text(f"{self.arguments.officer} (", within="header")
        self.expect_text("0 offre(s)")
        header, rows = self.table("Offres")
        if rows:
            raise StepFailed(f"the list should be empty, it has {rows}")
        return f"signed in, the list is empty; columns {header}"

    def nouvelle_offre(self) -> str:
        self.click("link", "Nouvelle offre")
        self.expect_path(r"/offres/nouvelle")
        self.expect_heading("Nouvelle offre")
        field = self.field
        field("Intitulé du poste").fill(OFFER["title"])
        field("Métier (CITP-08 : tapez un mot ou un code)").fill(OFFER["occupation"])
        field("Pays de destination").select_option(label=OFFER["country"])
        field("Ville").fill(OFFER["city"])
        field("Employeur").fill(OFFER["employer"])
        field("Numéro d’enregistrement de l’employeur").fill(OFFER["registration"])
        field("Nombre de postes").fill(OFFER["positions"])
        field("Contrat").select_option(label=OFFER["contract"])
        field("Début").fill(OFFER["start"])
        field("Fin").fill(OFFER["end"])
        field("Date limite de candidature").fill(OFFER["deadline"])
        field("Salaire").fill(OFFER["salary"])
        field("Monnaie").select_option(value=OFFER["currency"])
        field("Par").select_option(label=OFFER["period"])
        field("Langue exigée").select_option(label=OFFER["language"])
        field("Niveau (CECRL)").select_option(OFFER["level"])
        field("Années d’expérience").fill(OFFER["experience"])
        field("Frais demandés au travailleur (0 pour une offre légale)").fill(OFFER["fees"])
        field("Logement fourni").check()
        field("Voyage payé").check()
        self.shot()
        self.click("button", "Enregistrer l’offre")
        return f"filled in through its labels: {OFFER['title']}, {OFFER['fees']} of fees"

    def offre_signalee(self) -> str:
        match = self.expect_path(r"/offres/([^/?]+)\?fait=creer")
        self.offer_id = match.group(1)
        self.offer_path = f"/offres/{self.offer_id}"
        self.expect_text("Offre enregistrée.")
        self.expect_text(OFFER["title"])
        status = self.fact("Statut")
        if status != "En attente de revue":
            raise StepFailed(f"Statut « {status} », expected « En attente de revue »")
        fees = self.fact("Frais demandés au travailleur")
        if not re.fullmatch(re.escape(OFFER["fees"]) + r"([.,]0+)?( .*)?", fees):
            raise StepFailed(f"the fees read « {fees} », expected {OFFER['fees']}")
        self.page.get_by_role("heading", name="Signalements").wait_for()
        flags = [text.strip() for text in self.page.locator("ul.flags li").all_inner_texts()]
        if not any(FEE_EXPLANATION in flag for flag in flags):
            raise StepFailed(f"the flags {flags} do not explain the worker fees")
        if self.page.get_by_role("button", name="Approuver").count():
            raise StepFailed("an officer is offered « Approuver »")
        return f"offer {self.offer_id} held for review, flagged: {flags}"

    def deconnexion(self) -> str:
        self.click("button", "Se déconnecter")
        self.expect_path(r"/connexion")
        if self.page.get_by_role("navigation", name="Menu principal").count():
            raise StepFailed("the menu is still there after signing out")
        self.page.goto(self.base + self.offer_path)
        self.expect_path(r"/connexion\?suite=.*")
        self.expect_heading("Connexion")
        return f"signed out; {self.offer_path} asks to sign in again ({self.path()})"

    def connexion_superviseur(self) -> str:
        self.page.get_by_label("Identifiant").fill(self.arguments.supervisor)
        self.page.get_by_label("Mot de passe").fill(self.arguments.password)
        self.click("button", "Se connecter")
        self.expect_path(re.escape(self.offer_path))
        self.expect_text(f"{self.arguments.supervisor} (", within="header")
        self.page.get_by_role("heading", name="Revue").wait_for()
        self.page.get_by_role("button", name="Approuver").wait_for()
        return f"signed in as {self.arguments.supervisor}, back on {self.offer_path}, « Approuver » offered"

    def offre_approuvee(self) -> str:
        self.click("button", "Approuver")
        self.expect_path(re.escape(self.offer_path) + r"\?fait=approuver")
        self.expect_text("Offre approuvée : elle est ouverte.")
        status = self.fact("Statut")
        if status != "Ouverte":
            raise StepFailed(f"Statut « {status} », expected « Ouverte »")
        if self.page.get_by_role("button", name="Approuver").count():
            raise StepFailed("« Approuver » is still offered")
        header, rows = self.table("Historique de l’offre (journal du registre)")
        if header != ["Quand (UTC)", "Qui", "Quoi", "Résultat", "Champs modifiés"]:
            raise StepFailed(f"the history's columns are {header}")
        who = {row[2]: row[1] for row in rows if len(row) >= 3}
        if "Création" not in who or "Approbation" not in who:
            raise StepFailed(f"the history lacks « Création » or « Approbation »: {rows}")
        if self.arguments.expect_audit_names:
            expected = {"Création": self.arguments.officer, "Approbation": self.arguments.supervisor}
            wrong = {what: who[what] for what, name in expected.items() if who[what] != name}
            if wrong:
                raise StepFailed(f"the history should name {expected}, it names {wrong}: {rows}")
        return f"open; history {[(row[1], row[2]) for row in rows]}"

    def candidat_formulaire(self) -> str:
        self.page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Candidats").click()
        self.expect_path(r"/candidats")
        self.click("link", "Inscrire un candidat")
        self.expect_path(r"/candidats/nouveau")
        self.expect_heading("Inscrire un candidat")
        field = self.field
        field("Prénom(s)").fill(CANDIDATE["given"])
        field("Nom").fill(CANDIDATE["family"])
        field("Sexe").select_option(label=CANDIDATE["gender"])
        field("Année de naissance").fill(CANDIDATE["year"])
        field("Région d’origine").select_option(label=CANDIDATE["region"])
        field("Téléphone").fill(CANDIDATE["phone"])
        field("Métier principal (CITP-08)").fill(CANDIDATE["occupation"])
        field("Années d’expérience").fill(CANDIDATE["experience"])
        field("Niveau d’études (CITE)").select_option(CANDIDATE["education"])
        field("Langue parlée 1").select_option(label=CANDIDATE["language"])
        # Each language row has its « Niveau »: the first is the first language's.
        field("Niveau de la langue 1").select_option(CANDIDATE["level"])
        field("Pays souhaités (codes, par ex. ES FR ; vide : tous)").fill(CANDIDATE["destinations"])
        field("Disponible à partir du").fill(CANDIDATE["available"])
        for sentence in CONSENTS:
            self.page.get_by_label(sentence).check()
        self.shot()
        self.click("button", "Enregistrer")
        return f"{CANDIDATE['given']} {CANDIDATE['family']} filled in through the labels, three consents ticked"

    def candidat_fiche(self) -> str:
        match = self.expect_path(r"/candidats/([^/?]+)\?fait=cree")
        self.candidate_id = match.group(1)
        self.expect_text("Candidat enregistré.")
        self.expect_heading(f"{CANDIDATE['given']} {CANDIDATE['family']}")
        if self.fact("Référence") != self.candidate_id:
            raise StepFailed(f"Référence « {self.fact('Référence')} », expected {self.candidate_id}")
        consents = [text.strip() for text in
                    self.page.locator("h2:text-is('Consentements') + ul li").all_inner_texts()]
        if len(consents) != 3 or not all(line.endswith(": oui") for line in consents):
            raise StepFailed(f"the consents read {consents}")
        return f"candidate {self.candidate_id}; consents {consents}"

    def candidats_classes(self) -> str:
        self.page.goto(self.base + self.offer_path)
        self.click("link", "Candidats classés pour cette offre →")
        self.expect_path(re.escape(self.offer_path) + "/candidats")
        # The candidate by name, linking to her profile.
        link = self.page.locator(f'ol.matches a[href="/candidats/{self.candidate_id}"]')
        deadline = time.monotonic() + self.arguments.timeout
        reloads = 0
        while not link.count():
            if time.monotonic() > deadline:
                raise StepFailed(f"the matcher did not rank {self.candidate_id} within "
                                 f"{self.arguments.timeout:g} s ({reloads} reloads)")
            time.sleep(0.5)
            self.page.reload()
            reloads += 1
        item = self.page.locator("ol.matches > li").filter(
            has=self.page.locator(f'a[href="/candidats/{self.candidate_id}"]'))
        score = item.locator("p strong").first.inner_text().strip()
        if not re.fullmatch(r"[0-9]{1,3} / 100", score):
            raise StepFailed(f"the score reads « {score} »")
        table = item.get_by_role("table", name="Détail du score")
        header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
        if header != ["Critère", "Score", "Poids", "Explication"]:
            raise StepFailed(f"the breakdown's columns are {header}")
        rules = {}
        for row in table.locator("tbody tr").all():
            cells = [text.strip() for text in row.locator("th, td").all_inner_texts()]
            rules[cells[0]] = cells[3] if len(cells) > 3 else ""
        missing = [rule for rule in RULES if rule not in rules]
        if missing:
            raise StepFailed(f"the breakdown lacks {missing}: {rules}")
        english = {rule: reason for rule, reason in rules.items() if not reason or " / " in reason}
        if english:
            raise StepFailed(f"reasons empty or not only in French: {english}")
        shown = link.first.inner_text().strip()
        if shown != f"{CANDIDATE['given']} {CANDIDATE['family']}":
            raise StepFailed(f"the ranked candidate reads « {shown} », not her name")
        return f"ranked {score} after {reloads} reload(s); {rules}"

    def export_csv(self) -> str:
        self.page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Offres").click()
        self.expect_path(r"/offres")
        self.expect_text("1 offre(s)")
        header, rows = self.table("Offres")
        self.shot()
        name, body, records = self.download_csv("Exporter la liste (CSV)")
        self.csv = {"header": records[0] if records else [], "rows": max(0, len(records) - 1),
                    "filename": name}
        if not name.endswith(".csv"):
            raise StepFailed(f"the file is named {name!r}")
        if not records or records[0] != header:
            raise StepFailed(f"the CSV's header {records[:1]} is not the list's {header}")
        if len(records) - 1 != len(rows):
            raise StepFailed(f"{len(records) - 1} CSV row(s) for {len(rows)} in the list")
        if not any(OFFER["title"] in record for record in records[1:]):
            raise StepFailed(f"no CSV row has the title « {OFFER['title']} »: {records[1:]}")
        return f"{name}: {len(body)} bytes, header {records[0]}, {len(records) - 1} row(s)"

    def effacer_confirmation(self) -> str:
        self.page.goto(self.base + f"/candidats/{self.candidate_id}")
        self.click("link", "Effacer ce candidat (à sa demande)…")
        self.expect_path(rf"/candidats/{re.escape(self.candidate_id)}/effacer")
        self.expect_heading("Effacer un candidat")
        self.expect_text(f"{CANDIDATE['given']} {CANDIDATE['family']}")
        self.page.get_by_label("La personne a demandé l’effacement de ses données.").check()
        self.page.get_by_label(f"Recopiez son nom de famille, {CANDIDATE['family']}, pour confirmer").fill(
            CANDIDATE["family"].lower())
        self.shot()
        self.click("button", "Effacer définitivement")
        return f"both confirmations given for {self.candidate_id}"

    def effacement(self) -> str:
        self.expect_path(r"/candidats\?fait=efface")
        self.expect_heading("Candidats")
        self.page.get_by_label("Références (plusieurs possibles)").fill(self.candidate_id)
        self.click("button", "Chercher")
        self.expect_path(r"/candidats\?.*references=.*")
        self.expect_text("0 candidat(s) trouvé(s)")
        return f"erased: a search for {self.candidate_id} finds no one"

    def import_csv(self) -> str:
        self.page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Import").click()
        self.expect_path(r"/import")
        self.expect_heading("Import")
        self.page.get_by_label("Des candidats").check()
        self.page.get_by_label(re.compile(r"^Fichier CSV")).set_input_files(
            files=[{"name": "inscriptions-kayes.csv", "mimeType": "text/csv",
                    "buffer": IMPORT_CSV.encode("utf-8")}])
        self.click("button", "Importer")
        self.expect_path(r"/import/[A-Za-z0-9_-]+")
        # The page reloads itself (a meta refresh, no script) until the import has finished.
        self.expect_text("Import terminé")
        created = self.page.locator("#n-created").inner_text().strip()
        rejected = self.page.locator("#n-rejected").inner_text().strip()
        if (created, rejected) != ("2", "1"):
            raise StepFailed(f"{created} created and {rejected} rejected, not 2 and 1")
        self.shot()
        name, _, records = self.download_csv("Télécharger le fichier des rejets (1 lignes)")
        if len(records) != 2 or records[0][:4] != ["line", "field", "code", "message"]:
            raise StepFailed(f"the rejects file reads {records}")
        if records[1][:2] != ["4", "gender"] or "Keïta" not in records[1]:
            raise StepFailed(f"the rejected row reads {records[1]}")
        return f"{name}: {records[1][:4]}"


STEPS = [
    ("connexion", Flow.connexion),
    ("offres", Flow.offres),
    ("nouvelle-offre", Flow.nouvelle_offre),
    ("offre-signalee", Flow.offre_signalee),
    ("deconnexion", Flow.deconnexion),
    ("connexion-superviseur", Flow.connexion_superviseur),
    ("offre-approuvee", Flow.offre_approuvee),
    ("candidat-formulaire", Flow.candidat_formulaire),
    ("candidat-fiche", Flow.candidat_fiche),
    ("candidats-classes", Flow.candidats_classes),
    ("export-csv", Flow.export_csv),
    ("effacer-confirmation", Flow.effacer_confirmation),
    ("effacement", Flow.effacement),
    ("import", Flow.import_csv),
]


def run(arguments: argparse.Namespace) -> int:
    started = time.monotonic()
    problem = chromium_problem(arguments.chromium) or playwright_problem()
    if problem:
        return fail_to_start(problem)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    os.makedirs(arguments.screenshots, exist_ok=True)
    watch = Watch(origin_of(arguments.base))
    report: dict = {"ok": False, "steps": [], "unexpectedAlerts": [], "consoleErrors": watch.console_errors,
                    "externalRequests": watch.external, "csv": None, "offer": None, "candidate": None,
                    "browser": None, "playwright": playwright_version()}
    with sync_playwright() as playwright:
        try:
            browser = launch(playwright, arguments.chromium)
        except PlaywrightError as error:
            return fail_to_start(f"Chromium at {arguments.chromium} did not start: {first_line(error)}")
        try:
            report["browser"] = browser.version
            context = browser.new_context(service_workers="block", accept_downloads=True, locale="fr-FR",
                                          viewport={"width": 1280, "height": 900})
            context.set_default_timeout(arguments.timeout * 1000)
            context.set_default_navigation_timeout(arguments.timeout * 1000)
            watch.attach(context)
            page = context.new_page()
            watch.watch(page)
            flow = Flow(page, watch, arguments)
            for number, (name, body) in enumerate(STEPS, start=1):
                if not flow.run(number, name, lambda body=body: body(flow)):
                    break
            report.update(steps=flow.steps, unexpectedAlerts=flow.alerts, csv=flow.csv, offer=flow.offer_id,
                          candidate=flow.candidate_id)
        finally:
            browser.close()
    report["ok"] = (len(report["steps"]) == len(STEPS) and all(step["ok"] for step in report["steps"])
                    and not report["unexpectedAlerts"] and not watch.console_errors and not watch.external)
    report["elapsedMs"] = round((time.monotonic() - started) * 1000)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return EXIT_OK if report["ok"] else EXIT_NOT_OK


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)  # exits 2 on a usage error
    # A failing step ends the flow, so at most one action and the match wait use their bound;
    # launch, the other steps and the screenshots get 120 s more.
    start_watchdog(PROGRAM, 3 * arguments.timeout + 120)
    return run(arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
