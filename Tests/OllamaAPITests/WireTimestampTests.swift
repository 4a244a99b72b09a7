import OllamaAPI
import Testing

@Suite struct WireTimestampTests {
    @Test func utcTimesEndInZWithTrimmedNanoseconds() {
        // 2024-08-04T19:22:45.499127Z, the example of Ollama's docs.
        let stamp = WireTimestamp(seconds: 1_722_799_365, nanoseconds: 499_127_000)
        #expect(stamp.description == "2024-08-04T19:22:45.499127Z")
    }

    @Test func offsetsArePrintedAsHoursAndMinutes() {
        let stamp = WireTimestamp(seconds: 1_746_889_608, nanoseconds: 639_712_648, utcOffsetSeconds: -7 * 3600)
        #expect(stamp.description == "2025-05-10T08:06:48.639712648-07:00")
        #expect(WireTimestamp(seconds: 0, utcOffsetSeconds: 5 * 3600 + 1800).description == "1970-01-01T05:30:00+05:30")
    }

    @Test func parsingRoundTrips() {
        for text in ["2024-08-04T19:22:45.499127Z", "2025-05-10T08:06:48.639712648-07:00", "2318-01-01T00:00:00+01:00"] {
            #expect(WireTimestamp(rfc3339: text)?.description == text)
        }
        #expect(WireTimestamp(rfc3339: "2024-08-04 19:22:45") == nil)
    }

    @Test func foreverIsCenturiesAway() {
        let now = WireTimestamp.now()
        let later = now.adding(nanoseconds: Int64.max)
        #expect(later.seconds - now.seconds > 292 * 365 * 86_400)
        #expect(later.description.hasPrefix("2"))
    }
}
