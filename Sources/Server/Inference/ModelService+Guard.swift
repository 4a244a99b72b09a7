import Runtime

extension ModelService {
    /// Refuses new work while shutting down or while a card is above the critical temperature;
    /// under the `delay` action, waits (bounded) while a card is above the high one.
    func admit() async throws {
        let observability = self.observability
        if observability.health.phase == .draining {
            observability.metrics.rejected(reason: "shutting_down")
            throw SchedulerError.shuttingDown
        }
        let thermal = observability.health.thermalGuard
        let deadline = MonotonicClock.nanoseconds() + UInt64(thermal.thresholds.highTemperatureMaxDelaySeconds * 1e9)
        while true {
            switch thermal.decision(for: await observability.health.deviceStatuses()) {
            case .proceed, .cap: return
            case let .refuse(device, celsius):
                observability.metrics.rejected(reason: "too_hot")
                throw APIError(.serviceUnavailable, DeviceTooHotError(device: device, celsius: celsius, limit: thermal.thresholds.criticalCelsius).description)
            case .delay:
                // After the longest wait the generation runs, capped (see `thermalCap`).
                guard MonotonicClock.nanoseconds() < deadline else { return }
                try await Task.sleep(nanoseconds: 500_000_000)
            }
        }
    }

    /// The `num_predict` a generation may have now: capped while a card is above the high
    /// temperature (under `cap`, or under `delay` once the wait has run out).
    func thermalCap(_ numPredict: Int) async -> Int {
        let thermal = observability.health.thermalGuard
        switch thermal.decision(for: await observability.health.deviceStatuses()) {
        case .proceed, .refuse: return numPredict
        case .cap, .delay:
            let limit = thermal.thresholds.highTemperatureNumPredict
            return numPredict < 0 ? limit : min(numPredict, limit)
        }
    }

    /// Starts the generation on the lease and relays its events, recording token counts and
    /// latencies, stopping it with a final error when the shutdown drain runs out, and returning
    /// the lease once the generation loop has really stopped.
    func observedGeneration(on lease: ModelLease<LoadedModel>, prompt: [TokenID], options: SamplingOptions,
                            constraint: OutputConstraint?) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let observability = self.observability
        let model = lease.key
        let start = MonotonicClock.nanoseconds()
        let task = Task {
            var options = options
            options.numPredict = await thermalCap(options.numPredict)
            let run = lease.model.session.start(prompt: prompt, options: options, constraint: constraint)
            let drainID = observability.drain.begin {
                continuation.finish(throwing: SchedulerError.shuttingDown)
            }
            var firstText: UInt64?
            do {
                for try await event in run.events {
                    switch event {
                    case .text:
                        if firstText == nil { firstText = MonotonicClock.nanoseconds() }
                    case let .done(_, metrics, _):
                        observability.metrics.generation(model: model, promptTokens: metrics.promptEvalCount, generatedTokens: metrics.evalCount,
                                                         timeToFirstTokenNanoseconds: firstText.map { $0 - start },
                                                         decodeNanoseconds: metrics.evalDuration)
                    }
                    continuation.yield(event)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            observability.drain.finish(drainID)
            run.finished.cancel()
            await run.finished.value
            lease.release()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
