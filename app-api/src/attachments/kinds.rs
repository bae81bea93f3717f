//! What may be uploaded: the accepted kinds of file with their size limits, and the decision for
//! one file from its name and its first bytes. Plain functions over plain values; the upload
//! streams the file through them.
//!
//! The name's extension says what the file claims to be; the content must be that. Anything an
//! operating system or a browser could run (executables, scripts, pages) is refused whatever its
//! name, and so is any extension not on the list.

const MIB: u64 = 1024 * 1024;

/// The largest file any kind accepts (zip archives).
pub const LARGEST: u64 = 20 * MIB;

/// How many leading bytes the decision looks at (or all of a shorter file).
pub const SNIFF_BYTES: usize = 8 * 1024;

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The canonical extension the stored object gets.
    pub extension: &'static str,
    /// The content type it is stored and served with.
    pub mime_type: &'static str,
    pub max_bytes: u64,
    content: Content,
}

/// How the content of a kind is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// `infer` must name one of these types.
    Magic(&'static [&'static str]),
    /// Text: no NUL byte anywhere, UTF-8 in the first bytes, and no known binary signature.
    Text,
}

/// The largest image (PNG, JPEG, GIF, WebP).
pub const IMAGE: u64 = 5 * MIB;
const DOCUMENT: u64 = 10 * MIB;
const OLE: &[&str] = &["application/msword", "application/vnd.ms-excel", "application/x-ole-storage"];

/// Every accepted kind, by the extensions that name it.
const KINDS: &[(&[&str], Kind)] = &[
    (
        &["jpg", "jpeg"],
        Kind { extension: "jpg", mime_type: "image/jpeg", max_bytes: IMAGE, content: Content::Magic(&["image/jpeg"]) },
    ),
    (
        &["png"],
        Kind { extension: "png", mime_type: "image/png", max_bytes: IMAGE, content: Content::Magic(&["image/png"]) },
    ),
    (
        &["gif"],
        Kind { extension: "gif", mime_type: "image/gif", max_bytes: IMAGE, content: Content::Magic(&["image/gif"]) },
    ),
    (
        &["webp"],
        Kind { extension: "webp", mime_type: "image/webp", max_bytes: IMAGE, content: Content::Magic(&["image/webp"]) },
    ),
    (
        &["pdf"],
        Kind {
            extension: "pdf",
            mime_type: "application/pdf",
            max_bytes: DOCUMENT,
            content: Content::Magic(&["application/pdf"]),
        },
    ),
    (
        &["doc"],
        Kind { extension: "doc", mime_type: "application/msword", max_bytes: DOCUMENT, content: Content::Magic(OLE) },
    ),
    (
        &["xls"],
        Kind {
            extension: "xls",
            mime_type: "application/vnd.ms-excel",
            max_bytes: DOCUMENT,
            content: Content::Magic(OLE),
        },
    ),
    (
        &["docx"],
        Kind {
            extension: "docx",
            mime_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            max_bytes: DOCUMENT,
            content: Content::Magic(&["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]),
        },
    ),
    (
        &["xlsx"],
        Kind {
            extension: "xlsx",
            mime_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            max_bytes: DOCUMENT,
            content: Content::Magic(&["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]),
        },
    ),
    (&["csv"], Kind { extension: "csv", mime_type: "text/csv", max_bytes: DOCUMENT, content: Content::Text }),
    (
        &["txt", "text", "log"],
        Kind { extension: "txt", mime_type: "text/plain", max_bytes: 2 * MIB, content: Content::Text },
    ),
    (
        &["zip"],
        Kind {
            extension: "zip",
            mime_type: "application/zip",
            max_bytes: LARGEST,
            content: Content::Magic(&["application/zip"]),
        },
    ),
];

/// Extensions refused outright: programs, scripts, installers, disk images, and what a browser
/// renders as a page.
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "com", "bat", "cmd", "sh", "bash", "zsh", "csh", "ps1", "psm1", "vbs", "vbe", "js", "mjs", "cjs", "jse",
    "wsf", "wsh", "hta", "msi", "msp", "scr", "pif", "cpl", "dll", "so", "dylib", "jar", "class", "apk", "app", "dmg",
    "iso", "img", "deb", "rpm", "elf", "bin", "run", "php", "phtml", "py", "pyc", "pl", "rb", "lnk", "reg", "html",
    "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "swf",
];

/// Content types refused whatever the name says: executables and installers of every platform.
/// (Pages and SVG are refused as what they are not: no accepted kind is markup.)
const REFUSED_CONTENT: &[&str] = &[
    "application/vnd.microsoft.portable-executable",
    "application/x-executable",
    "application/x-mach-binary",
    "application/x-msdownload",
    "application/java-archive",
    "application/x-java-archive",
    "application/vnd.android.package-archive",
    "application/x-shellscript",
    "application/wasm",
    "application/x-msi",
    "application/x-apple-diskimage",
];

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Never accepted (415 `unsupported_media_type`).
    Unsupported(String),
    /// Not what its name says (415 `media_type_mismatch`).
    Mismatch(String),
}

/// The extension of `name`, lower-cased, if it has one.
pub fn extension_of(name: &str) -> Option<String> {
    let (stem, extension) = name.rsplit_once('.')?;
    let valid =
        !stem.is_empty() && (1..=10).contains(&extension.len()) && extension.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then(|| extension.to_ascii_lowercase())
}

/// The kind `name` claims, before any byte is read: refuses names of programs and scripts and
/// names of kinds that are not accepted.
pub fn claimed(name: &str) -> Result<Kind, Refusal> {
    let Some(extension) = extension_of(name) else {
        return Err(Refusal::Unsupported("the file name has no extension, so its type cannot be checked".into()));
    };
    if REFUSED_EXTENSIONS.contains(&extension.as_str()) {
        return Err(Refusal::Unsupported(format!(
            "`.{extension}` files are never accepted (programs, scripts, pages)"
        )));
    }
    KINDS.iter().find(|(names, _)| names.contains(&extension.as_str())).map(|(_, kind)| *kind).ok_or_else(|| {
        Refusal::Unsupported(format!(
            "`.{extension}` files are not accepted; accepted: images (jpg, png, gif, webp), pdf, office \
             (doc, docx, xls, xlsx, csv), text (txt) and zip"
        ))
    })
}

/// Checks the first bytes of the file (`head`, at most `SNIFF_BYTES`, all of a shorter file)
/// against the kind its name claims.
pub fn check_content(kind: Kind, head: &[u8]) -> Result<(), Refusal> {
    if is_program(head) {
        return Err(Refusal::Unsupported("the content is a program or a script, which is never accepted".into()));
    }
    let sniffed = infer::get(head).map(|t| t.mime_type());
    if let Some(found) = sniffed
        && REFUSED_CONTENT.contains(&found)
    {
        return Err(Refusal::Unsupported(format!("the content is {found}, which is never accepted")));
    }
    let matches = match kind.content {
        Content::Magic(types) => sniffed.is_some_and(|found| types.contains(&found)),
        Content::Text => sniffed.is_none() && is_text(head) && !looks_like_markup(head),
    };
    if matches {
        Ok(())
    } else {
        let found = sniffed.map_or_else(|| describe(head), str::to_owned);
        Err(Refusal::Mismatch(format!("the name says {} but the content is {found}", kind.mime_type)))
    }
}

/// Whether a later part of a text file is still text (a NUL byte says it is not).
pub fn still_text(kind: Kind, chunk: &[u8]) -> bool {
    kind.content != Content::Text || !chunk.contains(&0)
}

/// Executables and scripts by their first bytes, whatever `infer` knows.
fn is_program(head: &[u8]) -> bool {
    const SIGNATURES: &[&[u8]] = &[
        b"MZ",               // DOS and Windows (PE)
        b"\x7fELF",          // Linux and most Unixes
        b"\xfe\xed\xfa\xce", // Mach-O
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe", // Mach-O universal, Java classes
        b"#!",               // scripts
        b"\0asm",            // WebAssembly
    ];
    SIGNATURES.iter().any(|signature| head.starts_with(signature))
}

/// UTF-8 text without NUL bytes (the last character may be cut by the sniffing window).
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none() && head.len() - err.valid_up_to() < 4,
    }
}

/// A page or an image a browser would render, dressed as text.
fn looks_like_markup(head: &[u8]) -> bool {
    let start: Vec<u8> = head.iter().copied().skip_while(u8::is_ascii_whitespace).take(256).collect();
    let lower = start.to_ascii_lowercase();
    [&b"<!doctype html"[..], b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe"]
        .iter()
        .any(|tag| lower.starts_with(tag))
}

fn describe(head: &[u8]) -> String {
    if looks_like_markup(head) {
        "markup (HTML, SVG or XML)".to_owned()
    } else if is_text(head) {
        "text".to_owned()
    } else {
        "of an unknown type".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\x08\0";

    fn kind(name: &str) -> Kind {
        claimed(name).unwrap_or_else(|r| panic!("{name}: {r:?}"))
    }

    #[test]
    fn each_kind_has_the_limit_of_its_family() {
        assert_eq!(kind("photo.JPG").max_bytes, 5 * MIB);
        assert_eq!(kind("a.png").mime_type, "image/png");
        assert_eq!(kind("invoice.pdf").max_bytes, 10 * MIB);
        assert_eq!(kind("sheet.xlsx").max_bytes, 10 * MIB);
        assert_eq!(kind("notes.txt").max_bytes, 2 * MIB);
        assert_eq!(kind("logs.zip").max_bytes, 20 * MIB);
        assert_eq!(kind("photo.jpeg").extension, "jpg");
    }

    #[test]
    fn programs_scripts_and_pages_are_refused_by_name() {
        for name in [
            "setup.exe",
            "run.sh",
            "x.BAT",
            "a.cmd",
            "app.js",
            "index.php",
            "tool.py",
            "disk.iso",
            "page.html",
            "logo.svg",
        ] {
            assert!(matches!(claimed(name), Err(Refusal::Unsupported(_))), "{name}");
        }
        for name in ["noextension", ".png", "file.", "a.weird", "a.p n g"] {
            assert!(matches!(claimed(name), Err(Refusal::Unsupported(_))), "{name}");
        }
    }

    #[test]
    fn content_must_be_what_the_name_says() {
        assert_eq!(check_content(kind("a.png"), PNG), Ok(()));
        assert_eq!(check_content(kind("a.pdf"), PDF), Ok(()));
        assert_eq!(check_content(kind("a.zip"), ZIP), Ok(()));
        assert_eq!(check_content(kind("a.txt"), "héllo, wörld\n".as_bytes()), Ok(()));
        assert_eq!(check_content(kind("a.csv"), b"id,total\n1,12.50\n"), Ok(()));
        // A PDF named as an image, a page named as an image or as text, an SVG named as an image.
        assert!(matches!(check_content(kind("a.png"), PDF), Err(Refusal::Mismatch(_))));
        assert!(matches!(check_content(kind("a.png"), b"<html><script>alert(1)</script>"), Err(Refusal::Mismatch(_))));
        assert!(matches!(check_content(kind("a.txt"), b"  <!DOCTYPE html><html>"), Err(Refusal::Mismatch(_))));
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>";
        assert!(check_content(kind("a.png"), svg).is_err());
        assert!(matches!(check_content(kind("a.txt"), PNG), Err(Refusal::Mismatch(_))));
        assert!(matches!(check_content(kind("a.txt"), b"abc\0def"), Err(Refusal::Mismatch(_))));
    }

    #[test]
    fn programs_are_refused_whatever_their_name() {
        let pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        for name in ["invoice.pdf", "photo.png", "notes.txt", "archive.zip"] {
            assert!(matches!(check_content(kind(name), pe), Err(Refusal::Unsupported(_))), "{name}");
            assert!(matches!(check_content(kind(name), elf), Err(Refusal::Unsupported(_))), "{name}");
            assert!(matches!(check_content(kind(name), b"#!/bin/sh\nrm -rf /\n"), Err(Refusal::Unsupported(_))));
        }
    }

    #[test]
    fn text_may_be_cut_mid_character_by_the_window() {
        let mut head = "é".repeat(10).into_bytes();
        head.pop();
        assert_eq!(check_content(kind("a.txt"), &head), Ok(()));
        assert!(check_content(kind("a.txt"), b"\xff\xfe\x00bad").is_err());
        assert!(still_text(kind("a.txt"), b"more text") && !still_text(kind("a.txt"), b"bin\0ary"));
        assert!(still_text(kind("a.png"), b"\0\0"));
    }
}
