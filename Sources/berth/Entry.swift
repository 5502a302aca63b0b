import BerthCLI

@main
enum Entry {
    static func main() {
        BerthCommand.run()
    }
}
