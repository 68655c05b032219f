"""PDF/X-4 machine rules no free validator checks (ISO 15930-7), read with pikepdf (qpdf).

Independent of printbrief's own preflight (pypdf and regular expressions): every object and
every content stream is parsed, so an RGB colour in a form, a pattern, an annotation's
appearance or an inline image is found as well as one on the page; so are RGB values hiding
under another name: a shading function returning three components in a CMYK space, ``cs``
naming /DeviceRGB, an annotation's colour or a form field's default appearance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf

RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}  # /RGB: the inline-image abbreviation
RGB_OPERATORS = {"rg", "RG"}


def pdfx_problems(path: Path) -> list[str]:
    """Every PDF/X-4 machine rule ``path`` breaks, one line each (an empty list: none)."""
    with pikepdf.open(path) as pdf:
        return [
            *_version(pdf),
            *_intent(pdf),
            *_document(pdf),
            *_boxes(pdf),
            *_colour_spaces(pdf),
            *_shading_functions(pdf),
            *_annotations(pdf),
            *_content(pdf),
            *_fonts(pdf),
        ]


def _version(pdf: pikepdf.Pdf) -> Iterator[str]:
    if float(pdf.pdf_version) > 1.6:  # ISO 15930-7 §6.1.2
        yield f"PDF version {pdf.pdf_version} (PDF/X-4 is PDF 1.6)"


def _intent(pdf: pikepdf.Pdf) -> Iterator[str]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if len(intents) != 1:
        yield f"{len(intents)} /GTS_PDFX output intents (one is required)"
        return
    profile = intents[0].get("/DestOutputProfile")
    header = profile.read_bytes()[:20] if profile is not None else b""
    if header[12:16] != b"prtr" or header[16:20] != b"CMYK":
        yield f"output profile class/space {header[12:20]!r}, not a CMYK printer profile"
    if not str(intents[0].get("/OutputConditionIdentifier", "")):
        yield "no OutputConditionIdentifier"


def _document(pdf: pikepdf.Pdf) -> Iterator[str]:
    if pdf.is_encrypted:
        yield "encrypted"
    if "/ID" not in pdf.trailer:
        yield "no trailer /ID"
    trapped = pdf.docinfo.get("/Trapped")
    if not isinstance(trapped, pikepdf.Name) or str(trapped) not in ("/True", "/False"):
        yield f"Info /Trapped is {trapped!r}, not the name /True or /False"
    with pdf.open_metadata() as xmp:
        if xmp.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
            yield f"XMP pdfxid:GTS_PDFXVersion is {xmp.get('pdfxid:GTS_PDFXVersion')!r}"


def _boxes(pdf: pikepdf.Pdf) -> Iterator[str]:
    for number, page in enumerate(pdf.pages, start=1):
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.MediaBox)]
        bleed = [float(v) for v in page.obj.get("/BleedBox", page.MediaBox)]
        if "/TrimBox" not in page.obj:
            yield f"page {number}: no TrimBox"
        if not (_inside(trim, bleed) and _inside(bleed, media)):
            yield f"page {number}: TrimBox {trim} ⊆ BleedBox {bleed} ⊆ MediaBox {media} fails"


def _inside(inner: list[float], outer: list[float]) -> bool:
    t = 0.01
    return (
        outer[0] - t <= inner[0]
        and outer[1] - t <= inner[1]
        and inner[2] <= outer[2] + t
        and inner[3] <= outer[3] + t
    )


def _colour_spaces(pdf: pikepdf.Pdf) -> Iterator[str]:
    """RGB colour spaces anywhere: resources, images, shadings, groups, ICC profiles of 3."""
    for obj in pdf.objects:
        for key, value in _direct_items(obj):
            if key in ("/ColorSpace", "/CS") and _spaces_rgb(value):
                yield f"object {obj.objgen}: {key} is an RGB colour space"


def _direct_items(obj: pikepdf.Object) -> Iterator[tuple[str, pikepdf.Object]]:
    """(key, value) of a dictionary and of the direct dictionaries and arrays inside it."""
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key, value in obj.items():
            yield key, value
            if _direct_container(value):
                yield from _direct_items(value)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if _direct_container(value):
                yield from _direct_items(value)


def _direct_container(value: object) -> bool:
    containers = pikepdf.Dictionary | pikepdf.Array
    return isinstance(value, containers) and not value.is_indirect


def _spaces_rgb(value: pikepdf.Object) -> bool:
    """A colour space, or a resource dictionary of named colour spaces, that is RGB."""
    if isinstance(value, pikepdf.Dictionary):
        return any(_is_rgb(v) for v in value.values())
    return _is_rgb(value)


def _is_rgb(value: pikepdf.Object) -> bool:
    if isinstance(value, pikepdf.Name):
        return str(value) in RGB_SPACES
    if isinstance(value, pikepdf.Array) and len(value) >= 2:
        family = str(value[0])
        if family == "/ICCBased":
            return int(value[1].get("/N", 0)) == 3
        if family in ("/Indexed", "/Separation", "/DeviceN", "/Pattern"):
            return any(_is_rgb(v) for v in value[1:3])
        return family in RGB_SPACES
    return False


SPACE_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/DeviceRGB": 3, "/CalRGB": 3,
                    "/DeviceCMYK": 4, "/Lab": 3}  # fmt: skip


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream: indirect objects and the direct dictionaries inside them."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj
        for _, value in _direct_items(obj):
            if isinstance(value, pikepdf.Dictionary) and _direct_container(value):
                yield value


def _shading_functions(pdf: pikepdf.Pdf) -> Iterator[str]:
    """Shadings whose function or /Background gives other than their colour space's component
    count (WeasyPrint's sRGB gradient stops under a /DeviceCMYK label), soft masks with an
    RGB backdrop (/BC), and JPEG 2000 pictures whose colour only their own header names."""
    for obj in _dictionaries(pdf):
        if "/ShadingType" in obj:
            wanted = _components(obj.get("/ColorSpace"))
            function = obj.get("/Function")
            got = _function_outputs(function) if function is not None else wanted
            if wanted is None or got != wanted:
                yield f"object {obj.objgen}: a shading gives {got} components in a {wanted}"
            if "/Background" in obj and len(obj.Background) != wanted:
                yield f"object {obj.objgen}: a shading's /Background does not fit its space"
        if obj.get("/Type") == "/Mask" and len(obj.get("/BC", [])) == 3:
            yield f"object {obj.objgen}: a soft mask's backdrop /BC is RGB"
        if obj.get("/Filter") == "/JPXDecode" and "/ColorSpace" not in obj:
            yield f"object {obj.objgen}: a JPEG 2000 picture in the colour its header names"


def _components(space: pikepdf.Object | None) -> int | None:
    if isinstance(space, pikepdf.Name):
        return SPACE_COMPONENTS.get(str(space))
    if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased":
        return int(space[1].get("/N", 0))
    if isinstance(space, pikepdf.Array):
        return {"/Separation": 1, "/DeviceN": len(space[1]) if len(space) > 1 else 0}.get(
            str(space[0]), SPACE_COMPONENTS.get(str(space[0]))
        )
    return None


def _function_outputs(function: pikepdf.Object) -> int | None:
    if isinstance(function, pikepdf.Array):  # one function per component
        return len(function)
    if int(function.get("/FunctionType", -1)) == 3:
        counts = {_function_outputs(f) for f in function.Functions}
        return counts.pop() if len(counts) == 1 else None
    if "/C0" in function or int(function.get("/FunctionType", -1)) == 2:
        return len(function.get("/C0", [0]))
    return len(function.get("/Range", [])) // 2 or None


def _annotations(pdf: pikepdf.Pdf) -> Iterator[str]:
    """An annotation's /C (or /IC) colour of three numbers, and ``rg`` in a field's /DA."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        for key in ("/C", "/IC"):
            if obj.get("/Type") == "/Annot" and len(obj.get(key, [])) == 3:
                yield f"object {obj.objgen}: annotation colour {key} is RGB"
        if "/DA" in obj and re.search(rb"\b(?:rg|RG)\b", bytes(obj.DA)):
            yield f"object {obj.objgen}: the default appearance /DA sets an RGB colour"


def _content(pdf: pikepdf.Pdf) -> Iterator[str]:
    """``rg``/``RG``, ``cs``/``CS`` naming an RGB space and inline RGB images in page, form,
    pattern and appearance streams."""
    for stream in _content_streams(pdf):
        for instruction in pikepdf.parse_content_stream(stream):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                space = instruction.iimage.obj.get("/ColorSpace", instruction.iimage.obj.get("/CS"))
                if space is not None and _is_rgb(space):
                    yield f"object {stream.objgen}: an inline RGB image"
            elif str(instruction.operator) in RGB_OPERATORS or _sets_rgb_space(instruction):
                yield f"object {stream.objgen}: operator {instruction.operator}"
                break


def _sets_rgb_space(instruction: pikepdf.ContentStreamInstruction) -> bool:
    return str(instruction.operator) in ("cs", "CS") and _is_rgb(instruction.operands[0])


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if stream is not None:
                yield stream
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (
            obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1
        ):
            yield obj
        if isinstance(obj, pikepdf.Dictionary) and "/CharProcs" in obj:  # Type 3 glyphs
            yield from obj.CharProcs.values()


def _fonts(pdf: pikepdf.Pdf) -> Iterator[str]:
    for obj in pdf.objects:
        is_descriptor = (
            isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        )
        if is_descriptor and not any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield f"font {obj.get('/FontName')} is not embedded"
