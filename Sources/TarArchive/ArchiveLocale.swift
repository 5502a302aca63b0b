import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libarchive converts entry names between UTF-8 (PAX headers) and the C library's locale charset, and
/// a process starts in the "C" locale, where any name beyond ASCII fails ("Can't translate pathname").
/// Layers are full of such names (CA certificates, translations), so every archive Berth opens works in
/// UTF-8 whatever the environment says: LC_CTYPE becomes C.UTF-8 once, before the first archive.
public enum ArchiveLocale {
    private static let utf8: Bool = {
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return true }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil || setlocale(LC_CTYPE, "en_US.UTF-8") != nil
    }()

    /// Makes sure names are read and written as UTF-8; cheap after the first call.
    public static func ensureUTF8() {
        _ = utf8
    }
}
