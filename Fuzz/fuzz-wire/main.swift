import StrataFuzzSupport

FuzzMain.run(wireTestOneInput, writeSeeds: WireFuzzSeeds.write)
