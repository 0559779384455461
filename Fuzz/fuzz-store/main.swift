import StrataFuzzSupport

FuzzMain.run(storeTestOneInput, writeSeeds: StoreFuzzSeeds.write)
