/**
 * The QR code arrives as an SVG document. It is shown as an image from a data: URL, which never
 * runs scripts or joins the page's DOM, rather than as markup injected into the page.
 */

export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Recovery codes as a text file to keep. */
export function recoveryCodesText(codes: string[], heading: string): string {
  return `${heading}\n\n${codes.join('\n')}\n`;
}
