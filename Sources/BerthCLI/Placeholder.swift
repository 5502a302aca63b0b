public enum BerthCommand {
    public static func run() async {}
}
