import AXCLSimulatorSupport
import Testing

/// Tests that drive the simulator share its process-wide state with every other test target's:
/// they nest here and run one at a time, each starting from `Simulator.fresh()`.
@Suite(.serialized, .exclusiveSimulator) struct SimulatorBackedTests {}
