import BerthCLI

@main
enum Entry {
    static func main() async {
        await BerthCommand.run()
    }
}
