"""Two hand-written SVG charts for bench/report.py: grouped bars with min-max
whiskers, and latency-by-percentile lines on log axes."""

import math
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _text(x, y, s, size=12, anchor="middle", extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-family="sans-serif" {extra}>{escape(str(s))}</text>')


def _nice_max(v):
    if v <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def bar_chart(title, groups, series, values, y_label, width=760, height=420):
    """values[(group, series)] = (median, min, max) or None."""
    left, right, top, bottom = 70, 20, 40, 70
    pw, ph = width - left - right, height - top - bottom
    vmax = _nice_max(max([v[2] for v in values.values() if v] + [1e-9]) * 1.05)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">', f'<rect width="{width}" height="{height}" fill="white"/>',
           _text(width / 2, 22, title, 15, extra='font-weight="bold"')]
    for i in range(6):
        v = vmax * i / 5
        y = top + ph - ph * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(_text(left - 6, y + 4, f"{v:g}", 11, "end"))
    out.append(_text(16, top + ph / 2, y_label, 12, extra=f'transform="rotate(-90 16 {top + ph / 2:.1f})"'))
    gw = pw / max(1, len(groups))
    bw = gw * 0.8 / max(1, len(series))
    for gi, g in enumerate(groups):
        gx = left + gi * gw + gw * 0.1
        out.append(_text(left + gi * gw + gw / 2, top + ph + 18, g, 12))
        for si, s in enumerate(series):
            v = values.get((g, s))
            if not v:
                continue
            med, lo, hi = v
            x = gx + si * bw
            h = ph * med / vmax
            out.append(f'<rect x="{x:.1f}" y="{top + ph - h:.1f}" width="{bw * 0.9:.1f}" height="{h:.1f}" '
                       f'fill="{COLORS[si % len(COLORS)]}"><title>{escape(s)}: {med:.1f}</title></rect>')
            cx = x + bw * 0.45
            ylo, yhi = top + ph - ph * lo / vmax, top + ph - ph * hi / vmax
            out.append(f'<line x1="{cx:.1f}" y1="{ylo:.1f}" x2="{cx:.1f}" y2="{yhi:.1f}" stroke="black"/>')
            out.append(_text(cx, top + ph - h - 4 if h > 0 else top + ph - 4, f"{med:.0f}", 10))
    step = max([190] + [len(s) * 7 + 30 for s in series])  # long legend labels must not overlap
    for si, s in enumerate(series):
        x = left + si * step
        out.append(f'<rect x="{x}" y="{height - 28}" width="12" height="12" fill="{COLORS[si % len(COLORS)]}"/>')
        out.append(_text(x + 18, height - 18, s, 12, "start"))
    out.append("</svg>")
    return "\n".join(out)


def percentile_chart(title, panels, width=900, height=430):
    """panels: [(panel title, [(label, color, dashed, [(q, ms), ...]), ...]), ...]. The x axis is the
    percentile on a 1/(1-q) log scale (50%, 90%, 99%, 99.9%, 99.99%); the y axis latency, log scale."""
    left, top, bottom, gap = 60, 56, 95, 70
    pw = (width - left - 20 - gap * (len(panels) - 1)) / max(1, len(panels))
    ph = height - top - bottom
    all_ms = [ms for _, lines in panels for _, _, _, pts in lines for q, ms in pts if ms > 0]
    lo = 10 ** math.floor(math.log10(min(all_ms))) if all_ms else 0.1
    hi = 10 ** math.ceil(math.log10(max(all_ms))) if all_ms else 100
    xq = [0.5, 0.9, 0.99, 0.999, 0.9999]
    xmin, xmax = math.log10(1 / (1 - 0.5)), math.log10(1 / (1 - 0.9999))

    def px(q, x0):
        q = min(max(q, 0.5), 0.9999)
        return x0 + pw * (math.log10(1 / (1 - q)) - xmin) / (xmax - xmin)

    def py(ms):
        ms = max(ms, lo)
        return top + ph - ph * (math.log10(ms) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">', f'<rect width="{width}" height="{height}" fill="white"/>',
           _text(width / 2, 20, title, 15, extra='font-weight="bold"')]
    legend = []
    for pi, (ptitle, lines) in enumerate(panels):
        x0 = left + pi * (pw + gap)
        out.append(_text(x0 + pw / 2, top - 8, ptitle, 13))
        decade = lo
        while decade <= hi * 1.0001:
            y = py(decade)
            out.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + pw:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(_text(x0 - 4, y + 4, f"{decade:g} ms", 10, "end"))
            decade *= 10
        for q in xq:
            x = px(q, x0)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
            out.append(_text(x, top + ph + 14, f"p{q * 100:g}", 10))
        out.append(f'<rect x="{x0:.1f}" y="{top}" width="{pw:.1f}" height="{ph}" fill="none" stroke="#999"/>')
        for label, color, dashed, pts in lines:
            pts = [(q, ms) for q, ms in pts if q >= 0.5]
            if not pts:
                continue
            d = " ".join(f"{px(q, x0):.1f},{py(ms):.1f}" for q, ms in pts)
            dash = ' stroke-dasharray="6,4"' if dashed else ""
            out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}>'
                       f'<title>{escape(label)}</title></polyline>')
            if (label, color, dashed) not in legend:
                legend.append((label, color, dashed))
    for i, (label, color, dashed) in enumerate(legend):
        x = left + (i % 4) * 210
        y = height - 50 + (i // 4) * 18
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(_text(x + 30, y + 4, label, 11, "start"))
    out.append("</svg>")
    return "\n".join(out)
