import StrataFuzzSupport

FuzzMain.run(textTestOneInput, writeSeeds: TextFuzzSeeds.write)
