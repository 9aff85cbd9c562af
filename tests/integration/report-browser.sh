#!/bin/sh
# gemsoak report in a real browser: headless Chromium opens the HTML file
# without console messages, decodes every plot, and its screenshot of the
# plots is not blank. A page with a console error and a broken image checks
# that the probes can fail.
set -eu
. tests/lib.sh
command -v chromium >/dev/null || { echo "chromium is not installed (tools/install-deps.sh)"; exit 77; }
d=$TOP/build/tests/report-browser
rm -rf "$d"
mkdir -p "$d"
build/gemsoak-synth --db "$d/gs.db" --preset demo
# A known verdict history for run 1 (synth writes none: run 2 has none).
sqlite3 -batch "$d/gs.db" "insert into verdict_history values
	(1, 1, 1700001200, 600000, null, 'insufficient-data', null, null),
	(1, 2, 1700001200, 600000, null, 'insufficient-data', null, null),
	(1, 1, 1700002400, 1200000, 'insufficient-data', 'stable', 0.42, 0.31),
	(1, 2, 1700002400, 1200000, 'insufficient-data', 'stable', 0.9, 0),
	(1, 1, 1700004800, 2400000, 'stable', 'leaking', 0.9987, 1.001)"
build/gemsoak report --db "$d/gs.db" --run 2 --out "$d/report-2.html" 2> "$d/report.err" ||
	fail "report of run 2: exit $? ($(cat "$d/report.err"))"
! grep -q 'class="strip"' "$d/report-2.html" || fail "a verdict strip for a run without history"
build/gemsoak report --db "$d/gs.db" --run 1 --out "$d/report.html" 2> "$d/report.err" ||
	fail "report: exit $? ($(cat "$d/report.err"))"
[ ! -s "$d/report.err" ] || fail "report: messages: $(head -3 "$d/report.err")"

# Self-contained: no scripts, styles or images from elsewhere.
! grep -Eqi '<script|<link|src="(https?|file):' "$d/report.html" || fail "the report loads something from outside"
[ "$(grep -o 'src="data:image/png;base64,' "$d/report.html" | wc -l)" = 4 ] || fail "one plot per metric (4)"
grep -q '<td>gem.flink_names</td><td>leaking</td>' "$d/report.html" || fail "verdict table"
grep -q '<td>6.1.0-before</td>' "$d/report.html" || fail "run metadata"
# At a glance: a headline per finding (the leak in words, its lead
# metric per hour and per 1000 cycles of the workload, onset, metrics,
# what to do next), no exponent notation; the first plot is that leaking kernel
# metric; the kernel's plots come before the daemon's own section; every
# plot's y ticks are round numbers at an even step (as drawn: the report
# gives the labels the plot was drawn with).
python3 - "$d/report.html" <<'PY' || fail "the report at a glance"
import re, sys
html = open(sys.argv[1]).read()
heads = re.findall(r'<li class="headline">(.*?)</li>', html)
assert len(heads) == 1 and heads[0].startswith('<b>the canary keeps 1 GEM name per 1,000 of its cycles</b><br>'
                                               'gem.flink_names +1.8k/h, 1.0 per 1000 cycles of canary; onset 20'), heads
assert 'metrics: gem.flink_names<br>next: ' in heads[0] and 'e+' not in html.split('<h2>Verdicts')[0], heads[0]
figs = re.findall(r'<figure class="([^"]*)"><img alt="([^"]*)"', html)
assert figs[0] == ('leak', 'gem.flink_names'), figs
assert html.index('<figure') < html.index("<h2>gemsoakd's own footprint</h2>"), 'daemon section first'
mult = {'': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'B': 1, 'KiB': 1024, 'MiB': 1024**2, 'GiB': 1024**3}
for metric, ticks in re.findall(r'<figcaption>([^:]*):[^<]*<span class="yticks">([^<]*)</span>', html):
    vals = []
    for t in ticks.split(', '):
        m = re.fullmatch(r'(-?\d+(?:\.\d)?) ?(k|M|G|B|KiB|MiB|GiB)?', t)
        assert m, f'{metric}: tick {t!r} is not a round number'
        vals.append(float(m.group(1)) * mult[m.group(2) or ''])
    steps = {round(b - a, 6) for a, b in zip(vals, vals[1:])}
    assert len(vals) >= 3 and len(steps) == 1, f'{metric}: ticks {ticks}'
    print(f'{metric}: y ticks {ticks}')
# A verdict strip under each plot with a history: a segment per period,
# in time order, from each change to the next (or the plot's end).
strips = dict(re.findall(r'<img alt="([^"]*)"[^>]*><div class="strip"[^>]*>(.*?)</div>', html))
segs = {k: re.findall(r'class="v-([a-z-]*)" style="left:([0-9.]*)%;width:([0-9.]*)%"', v) for k, v in strips.items()}
assert segs == {'gem.flink_names': [('insufficient-data', '16.667', '16.667'), ('stable', '33.333', '33.333'),
                                    ('leaking', '66.667', '33.333')],
                'dmabuf.objects': [('insufficient-data', '16.667', '16.667'), ('stable', '33.333', '66.667')]}, segs
assert 'leaking from +1:20:00 (23:33:20 UTC)' in html, 'change times under the strip'
print('verdict strips:', segs)
print('first plot:', figs[0][1], '; headline:', re.sub('<[^>]*>', '', heads[0]))
PY

browser() {
	# Root needs --no-sandbox; the profile stays inside the test directory.
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$d/profile" \
		--enable-logging=stderr --v=0 --virtual-time-budget=5000 "$@"
}

# The probe: the report plus a script that reports, in the title, how many
# images decoded to their full size.
probe() {
	sed 's|</body>|<script>addEventListener("load", function () { var i = Array.from(document.images); document.title = "IMAGES " + i.length + " DECODED " + i.filter(function (x) { return x.complete \&\& x.naturalWidth == 900; }).length; });</script></body>|' \
		"$1" > "$2"
	browser --dump-dom "file://$2" 2>/dev/null | grep -o 'IMAGES [0-9]* DECODED [0-9]*' || true
}

# console_messages FILE.html: the console lines Chromium logs for the page.
console_messages() {
	browser --screenshot="$2" --window-size=1000,1800 "file://$1" 2>&1 | grep 'CONSOLE' || true
}

# Negative control: both probes must catch a broken page.
sed -e 's|<h1>|<script>console.error("broken")</script><h1>|' \
    -e '0,/base64,/s|base64,|base64,AAAA|' "$d/report.html" > "$d/broken.html"
[ -n "$(console_messages "$d/broken.html" "$d/broken.png")" ] || fail "the console probe misses an error"
[ "$(probe "$d/broken.html" "$d/broken-probe.html")" = "IMAGES 4 DECODED 3" ] || fail "the image probe misses a broken plot"

msgs=$(console_messages "$d/report.html" "$d/report.png")
[ -z "$msgs" ] || fail "console messages: $msgs"
got=$(probe "$d/report.html" "$d/probe.html")
[ "$got" = "IMAGES 4 DECODED 4" ] || fail "plots decoded: '$got'"

# The screenshot: plots are drawn (many colours, not mostly white).
python3 - "$d/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), 'unexpected PNG format'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, stride, prev, colours, inked = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours.add(px)
        inked += px != b'\xff\xff\xff'
    prev = line
share = inked / (w * h)
print('screenshot %dx%d: %d colours, %.1f %% not white' % (w, h, len(colours), 100 * share))
assert len(colours) > 50 and share > 0.05, 'the screenshot is blank'
PY
echo "ok"
