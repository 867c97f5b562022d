package crm_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// quarterFunnel is a sales team's quarter: four open stages and won.
func quarterFunnel(t testing.TB) crm.Funnel {
	stage := func(key, name string, deals int64, value string, rate float64) crm.FunnelStage {
		return crm.FunnelStage{Stage: key, Name: name, Deals: deals, Value: money(t, value, "USD"), Rate: rate}
	}
	return crm.Funnel{
		Title: "Q1 2026 · Enterprise sales team",
		Stages: []crm.FunnelStage{
			stage("prospecting", "Prospecting", 40, "480000.00", 1),
			stage("qualification", "Qualification", 24, "312000.00", 24.0/40),
			stage("proposal", "Proposal", 14, "196000.00", 14.0/24),
			stage("negotiation", "Negotiation", 9, "144000.00", 9.0/14),
			stage("won", "Won", 6, "102000.00", 6.0/9),
		},
	}
}

func hostileFunnel(t testing.TB) crm.Funnel {
	return crm.Funnel{
		Title: `<script>alert("x")</script> & Co's "funnel" ]]>`,
		Stages: []crm.FunnelStage{
			{Name: `A & B <b>bold</b>`, Deals: 12, Value: money(t, "1200.50", "EUR"), Rate: 1},
			{Name: `"quoted" 'single' ]]><!-- -->`, Deals: -3, Value: money(t, "-10.00", "EUR"), Rate: -0.5},
			{Name: "日本語の商談段階と、とても長い名前の説明", Deals: 7, Value: money(t, "700", "JPY"), Rate: math.NaN()},
			{Name: "ctl\x00\x1b[31m\nnew\tline \xff\xfe \uFFFE🚀", Deals: 3, Rate: math.Inf(1)},
			{Stage: "fallback_key", Deals: 0, Rate: 1e300},
			{Name: "   ", Deals: math.MaxInt64, Value: money(t, "92233720368547758.07", "USD"), Rate: 0.5},
		},
	}
}

func TestFunnelSVGGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		funnel crm.Funnel
		opts   *crm.SVGOptions
	}{
		{"quarter", quarterFunnel(t), nil},
		{"one_stage", crm.Funnel{Title: "Inbound leads", Stages: []crm.FunnelStage{
			{Stage: "new", Name: "New", Deals: 1, Value: money(t, "2500.00", "EUR"), Rate: 1},
		}}, nil},
		{"empty", crm.Funnel{Title: "Empty pipeline"}, nil},
		{"hostile", hostileFunnel(t), &crm.SVGOptions{Colors: []string{`red" onload="alert(1)`, "", "#2a9d8f", "url(javascript:x)", "rgb(231, 111, 81)"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tc.funnel.WriteSVG(&b, tc.opts))
			got := b.Bytes()
			requireWellFormed(t, got)
			assert.NotContains(t, string(got), "onload")
			assert.NotContains(t, string(got), "javascript")
			path := filepath.Join("testdata", "funnel", tc.name+".svg")
			if *updateGolden {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -run FunnelSVGGolden -update to create it")
			assert.Equal(t, string(want), string(got))
			if tc.opts == nil {
				assert.Equal(t, got, tc.funnel.SVG(), "SVG is WriteSVG with the defaults")
			}
		})
	}
}

func TestFunnelSVGWidthsFollowCounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      crm.Funnel
		strict bool // every count far enough apart to differ after rounding
	}{
		{"quarter", quarterFunnel(t), true},
		{"hostile", hostileFunnel(t), false},
		{"uneven", crm.Funnel{Stages: []crm.FunnelStage{
			{Name: "grows", Deals: 2}, {Name: "again", Deals: 5}, {Name: "tie", Deals: 5}, {Name: "none", Deals: 0}, {Name: "one", Deals: 1},
		}}, true},
	} {
		f := tc.f
		t.Run(tc.name, func(t *testing.T) {
			bars := funnelBars(t, f.SVG())
			require.Len(t, bars, len(f.Stages))
			widest := 0.0
			for i, bar := range bars {
				widest = max(widest, bar.top)
				assert.GreaterOrEqual(t, bar.top, 4.0, "stage %d is at least a sliver", i)
				if i+1 < len(bars) {
					assert.Equal(t, bars[i+1].top, bar.bottom, "stage %d narrows to the next bar", i)
				} else {
					assert.Equal(t, bar.top, bar.bottom, "the last bar is a rectangle")
				}
				for j := range bars {
					ci, cj := max(f.Stages[i].Deals, 0), max(f.Stages[j].Deals, 0)
					switch {
					case ci == 0 && cj > 0, ci < cj && tc.strict:
						assert.Less(t, bar.top, bars[j].top, "stage %d has fewer deals than %d", i, j)
					case ci < cj:
						assert.LessOrEqual(t, bar.top, bars[j].top, "stage %d has fewer deals than %d", i, j)
					case ci == cj:
						assert.Equal(t, bar.top, bars[j].top, "stages %d and %d have as many deals", i, j)
					}
				}
			}
			assert.Equal(t, 340.0, widest, "the largest count spans the funnel: 760 wide less two label columns of 210")
		})
	}
}

func TestFunnelSVGLabels(t *testing.T) {
	svg := string(quarterFunnel(t).SVG())
	for _, want := range []string{
		`role="img"`,
		`aria-label="Q1 2026 · Enterprise sales team: sales funnel of 5 stages, 40 deals at Prospecting, 6 deals at Won"`,
		"<title>Q1 2026 · Enterprise sales team</title>",
		">Qualification</text>", ">24 deals</text>", ">312000.00 USD</text>", ">60.0% from previous</text>",
		">58.3% from previous</text>", ">64.3% from previous</text>", ">66.7% from previous</text>",
	} {
		assert.Contains(t, svg, want)
	}
	assert.Equal(t, 4, strings.Count(svg, "from previous</text>"), "no rate for the first stage")

	hostile := string(hostileFunnel(t).SVG())
	for _, bad := range []string{"<script", "<b>", "<!--", "\x00", "\x1b", "\xff", "\uFFFE", `"quoted"`, "onload"} {
		assert.NotContains(t, hostile, bad)
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&apos;s", ">A &amp; B &lt;b&gt;bold&lt;/b&gt;</text>",
		">-3 deals</text>", ">0.0% from previous</text>", ">conversion n/a</text>", ">&gt;999.9% from previous</text>",
		">fallback_key</text>", ">(unnamed)</text>", ">日本語の商談段階と、とて…</text>", "ctl [31m new line \uFFFD\uFFFD \uFFFD🚀",
	} {
		assert.Contains(t, hostile, want)
	}
}

func TestFunnelSVGCapsStages(t *testing.T) {
	f := crm.Funnel{Title: "Long pipeline"}
	for i := range 200 {
		f.Stages = append(f.Stages, crm.FunnelStage{Name: fmt.Sprintf("Stage %03d", i), Deals: int64(200 - i), Rate: 0.99})
	}
	svg := f.SVG()
	requireWellFormed(t, svg)
	bars := funnelBars(t, svg)
	require.Len(t, bars, 12)
	changes := 0
	for i := 1; i < len(bars); i++ {
		if bars[i].fill != bars[i-1].fill {
			changes++
		}
	}
	assert.Equal(t, 5, changes, "the six blues stretch over twelve bars, light to dark, without starting over")
	assert.Contains(t, string(svg), ">+188 more stages not shown</text>")
	assert.Contains(t, string(svg), `aria-label="Long pipeline: sales funnel of 200 stages, 200 deals at Stage 000, 1 deal at Stage 199"`)

	var b bytes.Buffer
	require.NoError(t, f.WriteSVG(&b, &crm.SVGOptions{MaxStages: 199, Width: 1}))
	assert.Len(t, funnelBars(t, b.Bytes()), 100, "at most 100 bars")
	assert.Contains(t, b.String(), ">+100 more stages not shown</text>")
	assert.Contains(t, b.String(), `width="560"`, "the width is clamped")

	b.Reset()
	require.NoError(t, f.WriteSVG(&b, &crm.SVGOptions{MaxStages: 199, Width: 1}))
	assert.Equal(t, b.Bytes(), func() []byte {
		var again bytes.Buffer
		require.NoError(t, f.WriteSVG(&again, &crm.SVGOptions{MaxStages: 199, Width: 1}))
		return again.Bytes()
	}(), "the same input gives the same bytes")
}

func TestFunnelSVGWriteError(t *testing.T) {
	boom := errors.New("disk full")
	assert.ErrorIs(t, quarterFunnel(t).WriteSVG(failingWriter{boom}, nil), boom)
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func FuzzFunnelSVG(f *testing.F) {
	f.Add("Q1", "Prospecting", int64(40), 1.0, "Won", int64(6), 0.15, uint8(2), 0)
	f.Add("<&>\"'", "]]>\x00\xff", int64(-1), math.NaN(), "日本 🚀\n", int64(math.MaxInt64), math.Inf(-1), uint8(200), 100000)
	f.Add("", "", int64(0), math.Copysign(0, -1), "", int64(0), 1e308, uint8(0), -5)
	f.Fuzz(func(t *testing.T, title, name1 string, deals1 int64, rate1 float64, name2 string, deals2 int64, rate2 float64, n uint8, width int) {
		fn := crm.Funnel{Title: title}
		for i := range int(n) {
			if i%2 == 0 {
				fn.Stages = append(fn.Stages, crm.FunnelStage{Name: name1, Deals: deals1, Rate: rate1})
			} else {
				fn.Stages = append(fn.Stages, crm.FunnelStage{Name: name2, Deals: deals2, Rate: rate2})
			}
		}
		var b bytes.Buffer
		require.NoError(t, fn.WriteSVG(&b, &crm.SVGOptions{Width: width, MaxStages: int(n) % 7, Colors: []string{name2}}))
		requireWellFormed(t, b.Bytes())
		want := min(int(n), 12)
		if n%7 != 0 {
			want = min(int(n), int(n%7))
		}
		assert.Len(t, funnelBars(t, b.Bytes()), want)
	})
}

// requireWellFormed parses svg to the end with encoding/xml and checks the
// root is an accessible <svg>.
func requireWellFormed(t testing.TB, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "well-formed XML")
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				require.Equal(t, "svg", el.Name.Local)
				require.Equal(t, "http://www.w3.org/2000/svg", el.Name.Space)
				require.Equal(t, "img", attr(el, "role"))
				require.NotEmpty(t, attr(el, "aria-label"))
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	require.Equal(t, 1, roots, "one root element")
	require.Zero(t, depth)
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// funnelBar is one trapezoid: the widths of its top and bottom edges, and
// its color.
type funnelBar struct {
	top, bottom float64
	fill        string
}

func funnelBars(t testing.TB, svg []byte) []funnelBar {
	t.Helper()
	var bars []funnelBar
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return bars
		}
		require.NoError(t, err)
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "path" {
			var x1, y1, x2, y2, x3, y3, x4, y4 float64
			_, err := fmt.Sscanf(attr(el, "d"), "M %g %g L %g %g L %g %g L %g %g Z", &x1, &y1, &x2, &y2, &x3, &y3, &x4, &y4)
			require.NoError(t, err)
			require.Equal(t, y1, y2)
			require.Equal(t, y3, y4)
			bars = append(bars, funnelBar{top: x2 - x1, bottom: x3 - x4, fill: attr(el, "fill")})
		}
	}
}

func ExampleFunnel_SVG() {
	usd, _ := crm.ParseCurrency("USD")
	f := crm.Funnel{
		Title: "Q1 2026",
		Stages: []crm.FunnelStage{
			{Name: "Prospecting", Deals: 40, Value: crm.MoneyFromMinor(48_000_000, usd), Rate: 1},
			{Name: "Proposal", Deals: 14, Value: crm.MoneyFromMinor(19_600_000, usd), Rate: 0.35},
			{Name: "Won", Deals: 6, Value: crm.MoneyFromMinor(10_200_000, usd), Rate: 6.0 / 14},
		},
	}
	svg := string(f.SVG())
	fmt.Println(strings.Count(svg, "<path "), "bars")
	for line := range strings.Lines(svg) {
		if strings.HasPrefix(line, "<desc>") {
			fmt.Print(line)
		}
	}
	// Output:
	// 3 bars
	// <desc>Prospecting: 40 deals, 480000.00 USD. Proposal: 14 deals, 196000.00 USD, 35.0% from previous. Won: 6 deals, 102000.00 USD, 42.9% from previous.</desc>
}
