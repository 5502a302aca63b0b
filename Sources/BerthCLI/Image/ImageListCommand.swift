import ArgumentParser
import Foundation
import ImageStore
import OCI
import Planner

/// `berth image ls`.
struct ImageList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images in the store.")

    @OptionGroup(title: "State") var global: GlobalOptions
    @OptionGroup(title: "Output") var output: FormatOptions

    struct Row: Encodable {
        var reference: String
        var digest: String
        var size: Int64
        var platforms: [String]
    }

    func run() throws {
        let context = try Context(global, readOnly: true)
        let rows = try context.images.list().map {
            Row(reference: $0.reference, digest: $0.digest.description, size: $0.size, platforms: $0.platforms.map(\.description))
        }.sorted { $0.reference < $1.reference }
        switch output.format {
        case .json:
            print(String(decoding: try CanonicalJSON.encodePretty(rows), as: UTF8.self), terminator: "")
        case .text:
            var table = [["REFERENCE", "DIGEST", "SIZE", "PLATFORMS"]]
            for row in rows {
                table.append([
                    row.reference, row.digest, PlanRenderer.byteCount(row.size),
                    row.platforms.isEmpty ? "-" : row.platforms.joined(separator: ","),
                ])
            }
            print(renderTable(table), terminator: "")
        }
    }
}
