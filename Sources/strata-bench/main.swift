print("\(CommandLine.arguments[0]): not built yet")
