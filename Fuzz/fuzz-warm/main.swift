import StrataFuzzSupport

FuzzMain.run(warmTestOneInput, writeSeeds: WarmFuzzSeeds.write)
