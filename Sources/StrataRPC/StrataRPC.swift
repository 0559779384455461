// StrataRPC: see docs/architecture.md for this module's job.
