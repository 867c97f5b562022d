package crm

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SVGOptions tune Funnel.WriteSVG. The zero value, like a nil *SVGOptions,
// gives the defaults.
type SVGOptions struct {
	// Width of the chart in pixels: 0 means 760; other values are clamped
	// to 560..4096. The height follows from the number of stages.
	Width int `json:"width"`
	// MaxStages caps the bars drawn; the stages beyond it are counted in a
	// "+N more stages" note. 0 means 12; other values are clamped to 1..100.
	MaxStages int `json:"max_stages"`
	// Colors fill the bars in order, repeating: CSS colors such as
	// "#2f6fb0", "teal" or "rgb(47, 111, 176)". Entries that are empty or
	// hold anything but letters, digits, spaces and #(),.% are skipped;
	// none left means a blue scale from light to dark, stretched over the
	// stages when there are more of them than steps.
	Colors []string `json:"colors,omitempty"`
}

// Layout of the chart, in pixels. The stage names stand in a column left of
// the funnel, the deal counts and values in a column right of it, so a
// label never overlaps a bar, however narrow.
const (
	svgDefaultWidth     = 760
	svgMinWidth         = 560
	svgMaxWidth         = 4096
	svgDefaultMaxStages = 12
	svgMaxStagesCap     = 100
	svgSide             = 210 // each label column, margins included
	svgMargin           = 16
	svgTop              = 56 // below the title
	svgRow              = 52 // one stage: a bar and the gap under it
	svgBar              = 44
	svgSliver           = 4   // the width of a bar with no deals
	svgTextCap          = 200 // runes kept of any text, even in tooltips
)

// svgBlues is a sequential scale whose lightest step keeps a 3:1 contrast
// with the white background.
var svgBlues = []string{"#3b82c4", "#2f6fb0", "#245d9c", "#1a4b87", "#113a72", "#0a2a5e"}

const (
	svgInk   = "#111827" // titles, names, counts
	svgMuted = "#4b5563" // rates, values, notes: 7.5:1 on white
	svgFonts = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
)

// SVG renders the funnel as an SVG image with the default options; see
// WriteSVG.
func (f Funnel) SVG() []byte {
	var b bytes.Buffer
	_ = f.WriteSVG(&b, nil) // a bytes.Buffer does not fail
	return b.Bytes()
}

// WriteSVG writes the funnel as a standalone SVG image: the title on top,
// then one bar per stage from top to bottom, centred, its width in
// proportion to the stage's deals (a stage without deals is a thin sliver),
// each bar a trapezoid narrowing to the next bar's width. Left of a bar
// stand the stage name and the conversion rate from the previous stage;
// right of it the deal count and the value as Money.String prints it.
//
// The output depends only on f and opts (nil means the defaults), so it can
// be compared byte for byte. Every text is escaped; control characters and
// invalid UTF-8 become spaces and U+FFFD; long names are cut with an
// ellipsis and kept whole in the bar's tooltip. Negative deal counts draw
// as zero; a NaN or infinite rate shows as "n/a". The image has role="img",
// an aria-label summing it up, a <title> and a <desc> listing every stage.
// The only error is w's.
func (f Funnel) WriteSVG(w io.Writer, opts *SVGOptions) error {
	var o SVGOptions
	if opts != nil {
		o = *opts
	}
	var b bytes.Buffer
	newFunnelChart(f, o).write(&b)
	_, err := w.Write(b.Bytes())
	return err
}

// funnelChart is a Funnel laid out: the stages to draw, the labels cleaned.
type funnelChart struct {
	width, height int
	title         string
	all           []FunnelStage // every stage, for the summary
	stages        []FunnelStage // the stages drawn
	names         []string
	hidden        int // stages beyond the cap
	maxDeals      int64
	colors        []string
	stretch       bool // spread colors over the stages instead of repeating them
}

func newFunnelChart(f Funnel, o SVGOptions) funnelChart {
	c := funnelChart{width: svgDefaultWidth, title: svgClean(f.Title), all: f.Stages, stages: f.Stages}
	if o.Width != 0 {
		c.width = min(max(o.Width, svgMinWidth), svgMaxWidth)
	}
	if c.title == "" {
		c.title = "Sales funnel"
	}
	limit := svgDefaultMaxStages
	if o.MaxStages != 0 {
		limit = min(max(o.MaxStages, 1), svgMaxStagesCap)
	}
	if len(c.stages) > limit {
		c.hidden = len(c.stages) - limit
		c.stages = c.stages[:limit]
	}
	for _, s := range c.stages {
		c.maxDeals = max(c.maxDeals, s.Deals)
		c.names = append(c.names, svgStageName(s))
	}
	for _, col := range o.Colors {
		if svgIsColor(col) {
			c.colors = append(c.colors, col)
		}
	}
	if len(c.colors) == 0 {
		c.colors, c.stretch = svgBlues, true
	}
	c.height = svgTop + 48
	if n := len(c.stages); n > 0 {
		c.height = svgTop + n*svgRow - (svgRow - svgBar) + 20
	}
	if c.hidden > 0 {
		c.height += 24
	}
	return c
}

func (c funnelChart) write(b *bytes.Buffer) {
	mid := float64(c.width) / 2
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + strconv.Itoa(c.width) +
		`" height="` + strconv.Itoa(c.height) + `" viewBox="0 0 ` + strconv.Itoa(c.width) + " " + strconv.Itoa(c.height) +
		`" role="img" aria-label="` + svgEscape(c.summary()) + `" font-family="` + svgFonts + `">` + "\n")
	b.WriteString("<title>" + svgEscape(c.title) + "</title>\n")
	b.WriteString("<desc>" + svgEscape(c.description()) + "</desc>\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	full := float64(c.width - 2*svgMargin)
	svgLabel(b, mid, 34, "middle", svgTitleFont, full, svgFit(c.title, full/svgTitleFont.size))
	if len(c.stages) == 0 {
		svgLabel(b, mid, svgTop+24, "middle", svgNoteFont, full, "No deals")
	}
	for i := range c.stages {
		c.writeStage(b, i)
	}
	if c.hidden > 0 {
		svgLabel(b, mid, float64(c.height-16), "middle", svgSmallFont, full, "+"+strconv.Itoa(c.hidden)+" more "+svgPlural(c.hidden, "stage", "stages")+" not shown")
	}
	b.WriteString("</svg>\n")
}

// writeStage draws stage i as a trapezoid from its own width at the top to
// the next stage's width at the bottom (the last one is a rectangle), with
// its labels beside it and the whole line in a tooltip.
func (c funnelChart) writeStage(b *bytes.Buffer, i int) {
	s := c.stages[i]
	mid := float64(c.width) / 2
	y := float64(svgTop + i*svgRow)
	top := c.barWidth(s.Deals)
	bottom := top
	if i+1 < len(c.stages) {
		bottom = c.barWidth(c.stages[i+1].Deals)
	}
	b.WriteString("<g>\n<title>" + svgEscape(c.stageLine(i)) + "</title>\n")
	b.WriteString(`<path d="M ` + svgNum(mid-top/2) + " " + svgNum(y) + " L " + svgNum(mid+top/2) + " " + svgNum(y) +
		" L " + svgNum(mid+bottom/2) + " " + svgNum(y+svgBar) + " L " + svgNum(mid-bottom/2) + " " + svgNum(y+svgBar) +
		` Z" fill="` + svgEscape(c.color(i)) + `"/>` + "\n")
	left, right := float64(svgSide-12), float64(c.width-svgSide+12)
	room := float64(svgSide - 12 - svgMargin)
	svgLabel(b, left, y+19, "end", svgStrongFont, room, svgFit(c.names[i], room/svgStrongFont.size))
	if i > 0 {
		svgLabel(b, left, y+36, "end", svgSmallFont, room, svgRate(s.Rate))
	}
	// Numbers are not cut to fit but set smaller; only an absurdly long
	// amount (Money prints every digit of an inexact one) loses its end.
	svgLabel(b, right, y+19, "start", svgStrongFont, room, svgDeals(s.Deals))
	svgLabel(b, right, y+36, "start", svgSmallFont, room, svgFit(svgClean(s.Value.String()), 2*room/svgSmallFont.size))
	b.WriteString("</g>\n")
}

// color fills bar i.
func (c funnelChart) color(i int) string {
	if n := len(c.stages); c.stretch && n > len(c.colors) {
		return c.colors[i*len(c.colors)/n]
	}
	return c.colors[i%len(c.colors)]
}

// barWidth is in proportion to deals, the largest count taking the whole
// span between the label columns; no deals (or a negative count) give a
// sliver, and any deal at all at least twice that.
func (c funnelChart) barWidth(deals int64) float64 {
	span := float64(c.width - 2*svgSide)
	if deals <= 0 {
		return svgSliver
	}
	least := 2.0 * svgSliver
	return least + (span-least)*float64(deals)/float64(c.maxDeals)
}

// stageLine is stage i in words: "Proposal: 14 deals, 196000.00 USD, 58.3%
// from previous".
func (c funnelChart) stageLine(i int) string {
	s := c.stages[i]
	line := c.names[i] + ": " + svgDeals(s.Deals) + ", " + svgClean(s.Value.String())
	if i > 0 {
		line += ", " + svgRate(s.Rate)
	}
	return line
}

// summary is the aria-label: the title and the funnel's ends, drawn or not.
func (c funnelChart) summary() string {
	n := len(c.all)
	if n == 0 {
		return c.title + ": sales funnel with no deals"
	}
	first, last := c.all[0], c.all[n-1]
	s := c.title + ": sales funnel of " + strconv.Itoa(n) + " " + svgPlural(n, "stage", "stages") +
		", " + svgDeals(first.Deals) + " at " + svgStageName(first)
	if n > 1 {
		s += ", " + svgDeals(last.Deals) + " at " + svgStageName(last)
	}
	return s
}

// svgStageName is the stage's name, else its key, cleaned.
func svgStageName(s FunnelStage) string {
	if name := svgClean(s.Name); name != "" {
		return name
	}
	if key := svgClean(s.Stage); key != "" {
		return key
	}
	return "(unnamed)"
}

// description is the <desc>: every stage drawn, one sentence each.
func (c funnelChart) description() string {
	lines := make([]string, 0, len(c.stages)+1)
	for i := range c.stages {
		lines = append(lines, c.stageLine(i)+".")
	}
	if c.hidden > 0 {
		lines = append(lines, "+"+strconv.Itoa(c.hidden)+" more "+svgPlural(c.hidden, "stage", "stages")+" not shown.")
	}
	if len(lines) == 0 {
		return "No deals."
	}
	return strings.Join(lines, " ")
}

// svgFont is a text style.
type svgFont struct {
	size float64
	bold bool
	fill string
}

var (
	svgTitleFont  = svgFont{size: 20, bold: true, fill: svgInk}
	svgStrongFont = svgFont{size: 14, bold: true, fill: svgInk}
	svgSmallFont  = svgFont{size: 12, fill: svgMuted}
	svgNoteFont   = svgFont{size: 14, fill: svgMuted}
)

// svgLabel writes one <text>; text must be clean (svgClean) and is escaped
// here. A text that looks wider than room (see svgEms) is set in a smaller
// font that fits.
func svgLabel(b *bytes.Buffer, x, y float64, anchor string, font svgFont, room float64, text string) {
	size := font.size
	if w := svgEms(text) * size; w > room {
		size = math.Floor(size*room/w*10) / 10
	}
	b.WriteString(`<text x="` + svgNum(x) + `" y="` + svgNum(y) + `"`)
	if anchor != "start" {
		b.WriteString(` text-anchor="` + anchor + `"`)
	}
	b.WriteString(` font-size="` + svgNum(size) + `"`)
	if font.bold {
		b.WriteString(` font-weight="bold"`)
	}
	b.WriteString(` fill="` + font.fill + `">` + svgEscape(text) + "</text>\n")
}

// svgNum formats a coordinate with at most one decimal ("12", "12.5"), the
// same on every platform.
func svgNum(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

func svgDeals(n int64) string {
	if n == 1 {
		return "1 deal"
	}
	return strconv.FormatInt(n, 10) + " deals"
}

// svgRate formats a conversion rate (0-1) as a percentage with one decimal.
// Negative rates show as 0.0%, rates above 999.9% as ">999.9%".
func svgRate(r float64) string {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		return "conversion n/a"
	case r > 9.999:
		return ">999.9% from previous"
	case !(r > 0):
		r = 0
	}
	return strconv.FormatFloat(r*100, 'f', 1, 64) + "% from previous"
}

func svgPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// svgClean makes s safe to show on one line: invalid UTF-8 and the
// characters XML forbids become U+FFFD, control characters (newlines and
// tabs included) spaces; runs of spaces collapse, the ends are trimmed, and
// at most svgTextCap runes are kept.
func svgClean(s string) string {
	var b strings.Builder
	n := 0
	space := false
	for i, w := 0, 0; i < len(s) && n < svgTextCap; i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1, r == 0xFFFE, r == 0xFFFF:
			r = utf8.RuneError
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

var svgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// svgEscape escapes clean text for an element or a double-quoted attribute.
func svgEscape(s string) string { return svgEscaper.Replace(s) }

// svgEms estimates the width of s in ems. Without font metrics it errs
// wide, on the side of DejaVu Sans Bold, the widest common fallback font.
func svgEms(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += svgRuneEms(r)
	}
	return w
}

// svgFit cuts s to about ems wide (see svgEms), marking a cut with an
// ellipsis.
func svgFit(s string, ems float64) string {
	if svgEms(s) <= ems {
		return s
	}
	room, used := ems-svgRuneEms('…'), 0.0
	for i, r := range s {
		if used += svgRuneEms(r); used > room {
			return strings.TrimRight(s[:i], " ") + "…"
		}
	}
	return s // not reached: s is wider than ems
}

func svgRuneEms(r rune) float64 {
	switch {
	case unicode.Is(unicode.Mn, r) || r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F):
		return 0 // combining marks, joiners, variation selectors
	case r >= 0x1F300 && r <= 0x1FAFF:
		return 1.25 // emoji
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x20000 && r <= 0x3FFFD, r == '…':
		return 1 // East Asian wide
	case strings.ContainsRune(" .,:;'!|()[]`ijlI", r):
		return 0.36
	case strings.ContainsRune(`rtf/-"*`, r):
		return 0.52
	case strings.ContainsRune("mwMW@%", r):
		return 1.05
	}
	return 0.72
}

// svgIsColor accepts what may be a CSS color and nothing that could leave
// the attribute or the style language.
func svgIsColor(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("#(),.% ", r)) {
			return false
		}
	}
	return true
}
