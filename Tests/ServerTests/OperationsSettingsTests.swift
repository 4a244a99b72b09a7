import Runtime
import Server
import Testing

@Suite struct OperationsSettingsTests {
    @Test func defaultsMatchTheContract() throws {
        let settings = try ServerSettings.fromEnvironment([:]).operations
        #expect(settings.logFormat == .plain)
        #expect(settings.statusIntervalSeconds == 60)
        #expect(settings.shutdownGraceSeconds == 30)
        #expect(settings.thresholds.warnCelsius == 75)
        #expect(settings.thresholds.highCelsius == 85)
        #expect(settings.thresholds.criticalCelsius == 95)
        #expect(settings.thresholds.highTemperatureAction == .cap)
        #expect(settings.thresholds.highTemperatureNumPredict == 128)
    }

    @Test func variablesAreRead() throws {
        let settings = try ServerSettings.fromEnvironment([
            "AXLLAMA_LOG_FORMAT": "json", "AXLLAMA_LOG_LEVEL": "warning", "AXLLAMA_STATUS_INTERVAL": "5m",
            "AXLLAMA_SHUTDOWN_GRACE": "1500ms", "AXLLAMA_TEMP_WARN": "70", "AXLLAMA_TEMP_HIGH": "80.5", "AXLLAMA_TEMP_CRITICAL": "90",
            "AXLLAMA_HIGH_TEMP_ACTION": "delay", "AXLLAMA_HIGH_TEMP_NUM_PREDICT": "64", "AXLLAMA_CMM_WARN_MIB": "512",
            "AXLLAMA_CMM_FLOOR_MIB": "200",
        ]).operations
        #expect(settings.logFormat == .json)
        #expect(settings.logLevel == "warning")
        #expect(settings.statusIntervalSeconds == 300)
        #expect(settings.shutdownGraceSeconds == 1.5)
        #expect(settings.thresholds.highCelsius == 80.5)
        #expect(settings.thresholds.highTemperatureAction == .delay)
        #expect(settings.thresholds.highTemperatureNumPredict == 64)
        #expect(settings.thresholds.cmmWarnMiB == 512)
        #expect(settings.thresholds.cmmFloorMiB == 200)
    }

    @Test func badValuesNameTheVariable() {
        for (variable, value) in [("AXLLAMA_LOG_FORMAT", "xml"), ("AXLLAMA_HIGH_TEMP_ACTION", "melt"), ("AXLLAMA_TEMP_HIGH", "hot"),
                                  ("AXLLAMA_SHUTDOWN_GRACE", "soon"), ("AXLLAMA_CMM_FLOOR_MIB", "-1"), ("AXLLAMA_TEMP_CRITICAL", "50")] {
            #expect(throws: ServerSettings.SettingError.self) { try ServerSettings.fromEnvironment([variable: value]) }
            do {
                _ = try ServerSettings.fromEnvironment([variable: value])
            } catch {
                #expect("\(error)".contains("AXLLAMA_"))
            }
        }
    }

    @Test func configurationPrintMasksTheApiKeyAndListsEverySetting() {
        let lines = SettingCatalogue.describe(["AXLLAMA_API_KEY": "hunter2", "AXLLAMA_TEMP_HIGH": "80"])
        #expect(lines.count == SettingCatalogue.entries.count)
        #expect(lines.contains("AXLLAMA_API_KEY=********"))
        #expect(!lines.joined().contains("hunter2"))
        #expect(lines.contains("AXLLAMA_TEMP_HIGH=80"))
        #expect(lines.contains("AXLLAMA_SHUTDOWN_GRACE unset (default 30s)"))
        for variable in ["AXLLAMA_DEVICES", "AXLLAMA_FALLBACK_MODEL", "OLLAMA_HOST", "AXLLAMA_LOG_FORMAT", "AXLLAMA_CMM_FLOOR_MIB"] {
            #expect(SettingCatalogue.entries.contains { $0.variable == variable })
        }
    }
}
