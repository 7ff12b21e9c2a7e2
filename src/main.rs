fn main() -> std::process::ExitCode {
    bmsdesk::cli::main()
}
