import ArgumentParser
import Foundation
import Messages
import ServiceKit

/// `passerelle restore BACKUP`: puts a backup's databases back in place of the services'
/// (stopped) ones, keeping each replaced file aside.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restaurer des bases depuis une sauvegarde / restore databases from a backup",
        discussion: """
            Le service doit être arrêté : une base ouverte par un processus est refusée. Le manifeste \
            et les empreintes sont vérifiés avant tout changement ; l’ancien fichier est gardé à côté \
            (<service>.sqlite.replaced-<date>). Un service qui publie reprend sa numérotation bien \
            au-delà de ce qu’il a pu publier après la sauvegarde, pour que les lecteurs appliquent ses \
            nouveaux événements ; un lecteur rattrape le reste depuis le rejeu des autres.
            The service must be stopped: a database a process has open is refused. The manifest and \
            digests are checked before anything changes; the old file is kept aside \
            (<service>.sqlite.replaced-<date>). A publisher numbers on well past anything it may have \
            published after the backup, so that readers apply its new events; a reader catches up \
            from the others' replay.
            """)

    @Argument(help: "Dossier de la sauvegarde (passerelle-backup-…) / the backup folder")
    var backup: String

    @Option(
        name: .customLong("service"),
        help: ArgumentHelp("Ne restaurer que ce service ; répétable (défaut : tous) / only this service; repeatable"))
    var services: [String] = []

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Où restaurer (racine ou dossier d’un service ; défaut : le chemin d’origine du manifeste) / "
                + "where to restore (root or a service's folder; default: the manifest's original path)",
            valueName: "DIR"))
    var dataDirectories: [String] = []

    func run() throws {
        do {
            let plan = try RestorePlan.make(
                backup: backup, services: services, dataDirectories: dataDirectories)
            for done in try plan.apply() {
                Terminal.error(
                    "passerelle restore : \(done.service) restauré / restored into \(done.target); "
                        + "ancien fichier gardé / old file kept: \(done.keptAside ?? "(aucun / none)")"
                        + (done.floors.isEmpty
                            ? ""
                            : "; numérotation reprise après / numbering goes on after: "
                                + DatabaseFile.listed(done.floors)))
            }
        } catch let error as RestorePlan.Failure {
            if case .partly = error {
                Terminal.error("passerelle restore : échec / failed: \(error)")
            } else {
                Terminal.error("passerelle restore : refusé, rien n’a changé / refused, nothing changed: \(error)")
            }
            throw ExitCode(1)
        } catch {
            Terminal.error("passerelle restore : refusé, rien n’a changé / refused, nothing changed: \(error)")
            throw ExitCode(1)
        }
    }
}
