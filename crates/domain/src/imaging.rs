//! Image handling for uploads: dimensions from the header, then bounded decoding into a
//! thumbnail and a preview.
//!
//! Decompression bombs are stopped before any pixel is decoded: the header gives the
//! dimensions, images over the pixel budget are stored as plain files, and the decoder runs
//! under explicit allocation limits.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub const THUMBNAIL_SIZE: (u32, u32) = (120, 100);
pub const PREVIEW_WIDTH: u32 = 1920;

/// What could be learnt from an uploaded image.
#[derive(Debug, Default)]
pub struct Processed {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Option<Vec<u8>>,
    pub preview: Option<Vec<u8>>,
}

/// Formats we decode server-side. SVG, PSD and friends are stored but never processed.
fn supported(format: ImageFormat) -> bool {
    matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP | ImageFormat::Bmp)
}

/// Reads dimensions and, when within `max_pixels`, renders a JPEG thumbnail and preview.
/// Returns `None` for data that is not a supported image.
pub fn process(data: &[u8], max_pixels: u64) -> Option<Processed> {
    let reader = ImageReader::new(Cursor::new(data)).with_guessed_format().ok()?;
    let format = reader.format()?;
    if !supported(format) {
        return None;
    }
    let (width, height) = reader.into_dimensions().ok()?;
    let mut out = Processed { width, height, ..Default::default() };
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > max_pixels {
        return Some(out);
    }
    let mut reader = ImageReader::new(Cursor::new(data)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // Four bytes a pixel plus headroom for the decoder's own buffers.
    limits.max_alloc = Some(max_pixels * 4 + (64 << 20));
    reader.limits(limits);
    let Ok(img) = reader.decode() else { return Some(out) };
    let thumb = img.thumbnail(THUMBNAIL_SIZE.0, THUMBNAIL_SIZE.1);
    out.thumbnail = encode_jpeg(&thumb);
    let preview = if width > PREVIEW_WIDTH { img.resize(PREVIEW_WIDTH, u32::MAX, image::imageops::FilterType::Triangle) } else { img };
    out.preview = encode_jpeg(&preview);
    Some(out)
}

fn encode_jpeg(img: &image::DynamicImage) -> Option<Vec<u8>> {
    let mut buf = Cursor::new(Vec::new());
    img.to_rgb8().write_to(&mut buf, ImageFormat::Jpeg).ok()?;
    Some(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
        let mut buf = Cursor::new(Vec::new());
        img.write_to(&mut buf, ImageFormat::Png).unwrap();
        buf.into_inner()
    }

    #[test]
    fn makes_thumbnails() {
        let p = process(&png(300, 200), 1_000_000).unwrap();
        assert_eq!((p.width, p.height), (300, 200));
        assert!(p.thumbnail.is_some() && p.preview.is_some());
    }

    #[test]
    fn oversized_images_are_not_decoded() {
        let p = process(&png(2000, 2000), 1_000_000).unwrap();
        assert_eq!((p.width, p.height), (2000, 2000));
        assert!(p.thumbnail.is_none());
    }

    #[test]
    fn a_lying_header_is_harmless() {
        // A PNG header claiming 60000x60000 with no data behind it.
        let mut data = png(1, 1);
        data[16..20].copy_from_slice(&60000u32.to_be_bytes());
        data[20..24].copy_from_slice(&60000u32.to_be_bytes());
        let p = process(&data, 24_000_000);
        assert!(p.is_none_or(|p| p.thumbnail.is_none()));
    }

    #[test]
    fn non_images_are_ignored() {
        assert!(process(b"hello world", 1_000_000).is_none());
    }
}
