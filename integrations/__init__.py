"""The outside world, one module per system: OPC UA, MQTT, storage, simulator. Never Qt."""
