import Logging
import ServiceKit

extension OfferRegistry {
    /// Closes offers whose application deadline has passed (`offer.closed`, reason
    /// `deadline`), at start and then every `interval`.
    func deadlineCloser(every interval: Duration) -> PeriodicService {
        PeriodicService("closing offers at deadline", every: interval, logger: logger) {
            let closed = try await self.closePastDeadlines()
            if closed > 0 { self.logger.info("offers closed at deadline", metadata: ["count": "\(closed)"]) }
        }
    }
}
