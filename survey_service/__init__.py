"""Survey and feedback service for measuring good population relations."""
