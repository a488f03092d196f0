"""The desk's HTTP server (HTTP_LISTEN): the REST API for other systems (bearer API_TOKEN),
/healthz and /metrics for whoever runs the desk, and /openapi.json describing it all."""
