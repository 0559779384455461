import StrataCore

/// The simulation draws from the shared seeded generator, so a seed reproduces a run on
/// every machine.
typealias SeededGenerator = SplitMix64
