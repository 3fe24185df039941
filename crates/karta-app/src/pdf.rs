//! A small PDF page writer for Karta's documents: A4 pages of text in
//! DejaVu Sans (regular and bold, so Cyrillic renders everywhere), lines
//! and table rules, measured text for right alignment and wrapping. Only
//! the glyphs used are embedded (subset), and text stays searchable and
//! copyable (each font carries its Unicode map).

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
/// Margins on every side.
pub const MARGIN: f32 = 50.0;

/// One embedded face: its parsed data, the glyphs used (renumbered for the
/// subset), their widths and characters.
struct Face {
    data: &'static [u8],
    name: &'static [u8],
    resource: &'static [u8],
    remapper: GlyphRemapper,
    /// New glyph id → (width in 1/1000 em, character).
    used: BTreeMap<u16, (f32, char)>,
}

impl Face {
    fn new(data: &'static [u8], name: &'static [u8], resource: &'static [u8]) -> Self {
        let mut remapper = GlyphRemapper::new();
        // Glyph 0 (.notdef) stays glyph 0 in every subset.
        remapper.remap(0);
        Self {
            data,
            name,
            resource,
            remapper,
            used: BTreeMap::new(),
        }
    }

    fn parsed(&self) -> Option<ttf_parser::Face<'static>> {
        ttf_parser::Face::parse(self.data, 0).ok()
    }

    /// The text's width at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Some(face) = self.parsed() else {
            return 0.0;
        };
        let units = f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(0.0, f32::from)
            })
            .sum::<f32>()
            * size
            / units
    }

    /// The text as subset glyph ids (big-endian pairs for Identity-H).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let Some(face) = self.parsed() else {
            return Vec::new();
        };
        let units = f32::from(face.units_per_em());
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let old = face.glyph_index(c).map_or(0, |g| g.0);
            let new = self.remapper.remap(old);
            let width = face
                .glyph_hor_advance(ttf_parser::GlyphId(old))
                .map_or(0.0, |w| f32::from(w) * 1000.0 / units);
            self.used.entry(new).or_insert((width, c));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

/// Text weight.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A document being written, page by page, top to bottom.
pub struct Document {
    faces: [Face; 2],
    pages: Vec<Vec<u8>>,
    page: Content,
    /// The baseline of the next line, from the bottom of the page.
    pub y: f32,
    /// The title viewers show for the file.
    pub title: String,
}

impl Default for Document {
    fn default() -> Self {
        Self::new()
    }
}

impl Document {
    /// An empty document on its first page.
    pub fn new() -> Self {
        Self {
            faces: [
                Face::new(dejavu::sans::regular(), b"DejaVuSans", b"F1"),
                Face::new(dejavu::sans::bold(), b"DejaVuSans-Bold", b"F2"),
            ],
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
            title: String::new(),
        }
    }

    fn face(&self, weight: Weight) -> &Face {
        &self.faces[usize::from(weight == Weight::Bold)]
    }

    /// The text's width at `size` points.
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        self.face(weight).width(text, size)
    }

    /// Writes `text` with its left edge at `x` on baseline `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let face = &mut self.faces[usize::from(weight == Weight::Bold)];
        let glyphs = face.encode(text);
        self.page
            .begin_text()
            .set_font(Name(face.resource), size)
            .next_line(x, y)
            .show(Str(&glyphs))
            .end_text();
    }

    /// Writes `text` with its right edge at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let x = right - self.width(text, size, weight);
        self.text(x, y, size, weight, text);
    }

    /// Splits `text` into lines no wider than `width` (at word breaks; a
    /// word too long for a line is cut).
    pub fn wrap(&self, text: &str, width: f32, size: f32, weight: Weight) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, weight) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A horizontal rule across `x0..x1` at `y`.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32) {
        self.page
            .set_line_width(width)
            .move_to(x0, y)
            .line_to(x1, y)
            .stroke();
    }

    /// A vertical rule at `x` from `y0` down to `y1`.
    pub fn vline(&mut self, x: f32, y0: f32, y1: f32, width: f32) {
        self.page
            .set_line_width(width)
            .move_to(x, y0)
            .line_to(x, y1)
            .stroke();
    }

    /// Moves down by `by`, starting a new page when the bottom margin is
    /// reached; `true` when it did.
    pub fn advance(&mut self, by: f32) -> bool {
        self.y -= by;
        if self.y < MARGIN {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Ends the page and starts the next one at the top.
    pub fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done.finish().to_vec());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// The PDF file.
    pub fn finish(mut self) -> Vec<u8> {
        let last = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(last.finish().to_vec());
        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut id = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = id();
        let tree = id();
        let page_ids: Vec<Ref> = self.pages.iter().map(|_| id()).collect();
        let content_ids: Vec<Ref> = self.pages.iter().map(|_| id()).collect();
        let font_ids: Vec<[Ref; 5]> = self
            .faces
            .iter()
            .map(|_| [id(), id(), id(), id(), id()])
            .collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
        for (i, page_id) in page_ids.iter().enumerate() {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(content_ids[i]);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for (face, ids) in self.faces.iter().zip(&font_ids) {
                fonts.pair(Name(face.resource), ids[0]);
            }
            fonts.finish();
            resources.finish();
            page.finish();
            pdf.stream(content_ids[i], &self.pages[i]);
        }
        for (face, ids) in self.faces.iter().zip(&font_ids) {
            write_font(&mut pdf, face, *ids);
        }
        if !self.title.is_empty() {
            pdf.document_info(id()).title(TextStr(&self.title));
        }
        pdf.finish()
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// The font objects: Type0 → CID font → descriptor → subset file, and
/// the Unicode map.
fn write_font(pdf: &mut Pdf, face: &Face, [type0, cid, descriptor, file, cmap]: [Ref; 5]) {
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(Name(face.name))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(Name(face.name))
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = cid_font.widths();
    for (gid, (w, _)) in &face.used {
        widths.consecutive(*gid, [*w]);
    }
    widths.finish();
    cid_font.finish();
    let (ascent, descent, cap, bbox) =
        face.parsed()
            .map_or((0.0, 0.0, 0.0, Rect::new(0.0, 0.0, 0.0, 0.0)), |f| {
                let scale = 1000.0 / f32::from(f.units_per_em());
                let b = f.global_bounding_box();
                (
                    f32::from(f.ascender()) * scale,
                    f32::from(f.descender()) * scale,
                    f.capital_height().map_or(700.0, |c| f32::from(c) * scale),
                    Rect::new(
                        f32::from(b.x_min) * scale,
                        f32::from(b.y_min) * scale,
                        f32::from(b.x_max) * scale,
                        f32::from(b.y_max) * scale,
                    ),
                )
            });
    pdf.font_descriptor(descriptor)
        .name(Name(face.name))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(bbox)
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap)
        .stem_v(80.0)
        .font_file2(file);
    let subset = subsetter::subset(face.data, 0, &face.remapper).unwrap_or_default();
    pdf.stream(file, &deflate(&subset))
        .filter(Filter::FlateDecode);
    let mut unicode = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), info);
    for (gid, (_, c)) in &face.used {
        unicode.pair(*gid, *c);
    }
    pdf.cmap(cmap, &unicode.finish());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_text_is_measured_wrapped_and_embedded_as_a_subset() {
        let mut doc = Document::new();
        let w = doc.width("Коммерческое предложение", 12.0, Weight::Regular);
        assert!(w > 100.0 && w < 250.0, "{w}");
        assert!(doc.width("Ш", 12.0, Weight::Bold) > doc.width("Ш", 12.0, Weight::Regular) * 0.9);
        let lines = doc.wrap(
            "Станок токарно-винторезный 16К20 с ЧПУ",
            120.0,
            12.0,
            Weight::Regular,
        );
        assert!(
            lines.len() >= 2
                && lines
                    .iter()
                    .all(|l| doc.width(l, 12.0, Weight::Regular) <= 160.0)
        );
        doc.text(
            MARGIN,
            doc.y,
            12.0,
            Weight::Regular,
            "Коммерческое предложение",
        );
        doc.text_right(PAGE_WIDTH - MARGIN, doc.y, 12.0, Weight::Bold, "1 234,50 ₽");
        doc.new_page();
        doc.text(MARGIN, doc.y, 12.0, Weight::Regular, "Вторая страница");
        let pdf = doc.finish();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 2"));
        assert!(text.contains("DejaVuSans-Bold") && text.contains("Identity-H"));
        // A subset, not the whole 700 kB face.
        assert!(pdf.len() < 120_000, "{}", pdf.len());
    }
}
