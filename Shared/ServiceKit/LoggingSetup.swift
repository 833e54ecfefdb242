import Logging
import Synchronization

/// swift-log's global bootstrap, done once per process (a second call would trap).
public enum LoggingSetup {
    private static let done = Mutex(false)

    /// Sends logs to standard error at `level`; compose/dev captures them under `data/logs`.
    public static func bootstrap(level: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// A logger for `service` at the configured level.
    public static func logger(for settings: ServiceSettings) -> Logger {
        bootstrap(level: settings.logLevel)
        var logger = Logger(label: settings.identity.name)
        logger.logLevel = settings.logLevel
        return logger
    }
}
