import StrataFuzzSupport

FuzzMain.run(configTestOneInput, writeSeeds: ConfigFuzzSeeds.write)
