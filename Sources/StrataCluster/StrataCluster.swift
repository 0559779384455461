// StrataCluster: pure cluster logic (placement, failure detection, recovery planning). See docs/architecture.md.
