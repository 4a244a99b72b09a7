import Testing
@testable import CPUEngine

