"""The TLS proxy (nginx) in front of both services, run on loopback."""
