import ArgumentParser

/// `berth image …`: the image store.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage the image store (an OCI image layout under the state root).",
        subcommands: [
            ImageImport.self, ImagePull.self, ImageList.self, ImageInspect.self, ImageTag.self, ImageRemove.self,
            ImageExport.self, ImageUnpack.self, ImagePrune.self,
        ])
}
