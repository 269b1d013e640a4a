"""The demo plant simulator: a real OPC UA server and MQTT publisher driven by plant dynamics and scenarios.

The console runs it in-process (`SimulatorThread`), `controlroom simulate` stand-alone (`run_simulator`).
"""

from integrations.simulator.runner import Simulator, SimulatorThread, run_simulator
from integrations.simulator.scenarios import SCENARIOS

__all__ = ["SCENARIOS", "Simulator", "SimulatorThread", "run_simulator"]
