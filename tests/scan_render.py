"""Test helper: make scans of our own text-layer PDFs (render with pypdfium2, then rotate, blur, add noise and
save as JPEG), as image-only PDFs or page images, so the OCR tests need nothing from ../shared."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

FITS_PDF = Path(__file__).resolve().parent / "fixtures" / "pdfedge" / "fits.pdf"
"""A two-page 2021-form report (表三 on page 1, 表四 on page 2), its values in fixtures/pdfedge/expected.json."""


def scanned_pages(
    source: Path,
    dpi: int = 150,
    angle: float = 0.4,
    noise: float = 8.0,
    blur: float = 0.6,
    quality: int = 60,
    seed: int = 1,
) -> list[bytes]:
    """Each page of `source` as a degraded grey JPEG, the way a cheap office scanner makes it."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(str(source))
    pages: list[bytes] = []
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
            if blur:
                image = image.filter(ImageFilter.GaussianBlur(blur))
            pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, noise, (image.height, image.width))
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
            pages.append(out.getvalue())
    finally:
        doc.close()
    return pages


def image_pdf(pages: list[bytes], dpi: int = 150) -> bytes:
    """An image-only PDF (no text layer) holding the page images."""
    from PIL import Image

    images = [Image.open(io.BytesIO(page)) for page in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()
