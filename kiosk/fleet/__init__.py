"""The fleet server: heartbeats, alerts, staged rollouts and the administrators' console."""
