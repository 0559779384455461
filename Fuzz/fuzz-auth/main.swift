import StrataFuzzSupport

FuzzMain.run(authTestOneInput, writeSeeds: AuthFuzzSeeds.write)
