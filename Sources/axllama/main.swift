// Until the full CLI lands, only `bench` is wired.
if CommandLine.arguments.dropFirst().first == "bench" {
    BenchCommand.main(Array(CommandLine.arguments.dropFirst(2)))
} else {
    print("axllama")
}
