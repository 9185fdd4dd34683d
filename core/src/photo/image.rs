//! Images as uploaded: the type by magic bytes (never by the client's word), and the bytes minus
//! their metadata. img-parts splits the container into segments or chunks and writes the rest back
//! as it was, so what is stored is the upload byte for byte without the removed parts: no decoding,
//! no re-encoding, no quality lost. (The EXIF orientation goes with the rest; WeChat's
//! `chooseImage` has already applied it to the pixels of the photos it hands over.)

use bytes::Bytes;
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_XMP, WebP};
use img_parts::{ImageEXIF, ImageICC};

use crate::error::CoreError;

/// The image types accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// WebP (`RIFF`, a size, `WEBP`).
    Webp,
}

impl ImageType {
    /// Recognises the type from the first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else {
            None
        }
    }

    /// The media type the photo is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }
}

/// PNG chunks that carry metadata: EXIF, and the text chunks XMP (with its GPS fields) rides in.
const PNG_METADATA: [[u8; 4]; 4] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt"];

/// The image without its metadata: JPEG APP1 (EXIF, XMP) and APP13 (IPTC) segments, PNG `eXIf`
/// and text chunks, WebP `EXIF` and `XMP ` chunks (the VP8X flags follow). Colour profiles stay.
/// A file whose magic bytes promise an image but whose structure is broken is refused (422).
pub fn strip_metadata(kind: ImageType, bytes: Bytes) -> Result<Bytes, CoreError> {
    let broken = |_| CoreError::invalid("invalid_image", "the image is damaged or truncated");
    Ok(match kind {
        ImageType::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(broken)?;
            jpeg.remove_segments_by_marker(markers::APP1);
            jpeg.remove_segments_by_marker(markers::APP13);
            jpeg.encoder().bytes()
        }
        ImageType::Png => {
            let mut png = Png::from_bytes(bytes).map_err(broken)?;
            png.chunks_mut().retain(|c| !PNG_METADATA.contains(&c.kind()));
            png.encoder().bytes()
        }
        ImageType::Webp => {
            let mut webp = WebP::from_bytes(bytes).map_err(broken)?;
            webp.remove_chunks_by_id(CHUNK_XMP);
            // Also clears the EXIF and XMP flags of the VP8X header, so the file stays valid.
            let icc = webp.icc_profile();
            webp.set_exif(None);
            webp.set_icc_profile(icc);
            webp.encoder().bytes()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's segment: marker, big-endian length (which counts itself), contents.
    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(contents.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(contents);
        s
    }

    #[test]
    fn types_come_from_magic_bytes() {
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"GIF89a"), None);
        assert_eq!(ImageType::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(ImageType::sniff(b""), None);
    }

    #[test]
    fn a_jpeg_loses_exif_and_keeps_everything_else() {
        let jfif = segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let exif = segment(0xE1, b"Exif\0\0MM\0*\0\0\0\x08GPS...");
        let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01....");
        let scan = [segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]), vec![0x12, 0x34, 0xFF, 0xD9]].concat();
        let with = [&[0xFF, 0xD8][..], &jfif, &exif, &icc, &scan].concat();
        let without = [&[0xFF, 0xD8][..], &jfif, &icc, &scan].concat();
        let stripped = strip_metadata(ImageType::Jpeg, Bytes::from(with)).unwrap();
        assert_eq!(stripped.as_ref(), without.as_slice());
    }

    #[test]
    fn a_broken_image_is_refused() {
        let truncated = Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE1, 0x40]);
        assert!(matches!(
            strip_metadata(ImageType::Jpeg, truncated),
            Err(CoreError::Invalid {
                code: "invalid_image",
                ..
            })
        ));
    }
}
