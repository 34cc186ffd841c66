"""A hand-written SVG of each scenario's load: one dot per response at (send time, latency), coloured by
the version that answered, failures in red on the top band; dashed lines mark the bench's own events."""

from xml.sax.saxutils import escape

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, GAP = 960, 170, 60, 20, 30, 46
COLOURS = {"blue": "#1f6fd1", "green": "#1f9d3a"}
FAILED, OTHER = "#d62728", "#888888"
MAX_POINTS = 400


def _ceiling(values):
    top = max(values or [1.0])
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if top <= step:
            return step
    return top


def _panel(y0, title, records, marks):
    duration = max([r["t"] for r in records] + list(marks.values()) + [1.0])
    ok = [r for r in records if 200 <= r["status"] < 300]
    ceiling = _ceiling([r["latency_ms"] for r in ok])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PANEL_HEIGHT - 40
    band = 12  # the failure band above the latency plot

    def x(t):
        return LEFT + plot_w * t / duration

    def y(latency):
        return y0 + band + 8 + plot_h * (1 - min(latency, ceiling) / ceiling)

    parts = ['<text x="{0}" y="{1}" class="title">{2}</text>'.format(LEFT, y0 - 6, escape(title)),
             '<rect x="{0}" y="{1}" width="{2}" height="{3}" class="frame"/>'.format(LEFT, y0, plot_w, plot_h + band + 8),
             '<text x="{0}" y="{1}" class="axis" text-anchor="end">failed</text>'.format(LEFT - 4, y0 + band - 2),
             '<text x="{0}" y="{1}" class="axis" text-anchor="end">{2} ms</text>'.format(LEFT - 4, y(ceiling) + 4, ceiling),
             '<text x="{0}" y="{1}" class="axis" text-anchor="end">0</text>'.format(LEFT - 4, y(0) + 4)]
    for second in range(0, int(duration) + 1, max(1, int(duration // 10) or 1)):
        parts.append('<text x="{0:.1f}" y="{1}" class="axis" text-anchor="middle">{2} s</text>'.format(x(second), y(0) + 14, second))
    step = max(1, len(records) // MAX_POINTS)
    for index, record in enumerate(records):
        failed = not 200 <= record["status"] < 300
        if index % step and not failed:
            continue
        if failed:
            parts.append('<rect x="{0:.1f}" y="{1}" width="2" height="{2}" fill="{3}"/>'.format(x(record["t"]), y0 + 2, band - 2, FAILED))
        else:
            parts.append('<circle cx="{0:.1f}" cy="{1:.1f}" r="1.6" fill="{2}"/>'.format(
                x(record["t"]), y(record["latency_ms"]), COLOURS.get(record["version"], OTHER)))
    for row, (name, at) in enumerate(sorted(marks.items(), key=lambda item: item[1])):
        parts.append('<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" class="mark"/>'.format(x(at), y0, y(0)))
        parts.append('<text x="{0:.1f}" y="{1}" class="mark-label">{2}</text>'.format(x(at) + 3, y0 + band + 20 + 11 * (row % 4), escape(name)))
    return parts


def write_svg(path, panels):
    """``panels``: list of (title, records, marks)."""
    height = TOP + len(panels) * (PANEL_HEIGHT + GAP)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">'.format(WIDTH, height),
             "<style>.title{font-size:13px;font-weight:bold}.axis{font-size:10px;fill:#444}.frame{fill:none;stroke:#bbb}"
             ".mark{stroke:#333;stroke-dasharray:4 3}.mark-label{font-size:10px;fill:#333}</style>",
             '<rect width="100%" height="100%" fill="white"/>',
             '<text x="{0}" y="16" font-size="11">dots: latency of each response, by version '
             '(<tspan fill="{1}">blue</tspan>, <tspan fill="{2}">green</tspan>); '
             '<tspan fill="{3}">red</tspan> ticks: failed requests; x: seconds since the load started</text>'.format(
                 LEFT, COLOURS["blue"], COLOURS["green"], FAILED)]
    for index, (title, records, marks) in enumerate(panels):
        parts += _panel(TOP + 20 + index * (PANEL_HEIGHT + GAP), title, records, marks)
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
