// The controller: configuration, telemetry, actuation and the state machine.
