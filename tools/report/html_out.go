package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// WriteHTML writes one self-contained page: no script, font, style sheet
// or image from anywhere else (it opens offline and from a mail
// attachment). Each chart is an inline SVG drawn here; each series is one
// element of class "series" (a path of one M or L per point for a line,
// a group of rect.point for bars), so a browser test can count what it
// draws. The tables follow their charts.
func WriteHTML(w io.Writer, reps []*Report) error {
	type sec struct {
		Title string
		Chart template.HTML
		Table template.HTML
		Notes []string
	}
	type rep struct {
		Title, Span, Read string
		Notes             []string
		Sections          []sec
		Malformed         []string
	}
	var page struct {
		Title   string
		Reports []rep
	}
	var titles []string
	for _, r := range reps {
		x := rep{Title: r.Title, Notes: r.Notes,
			Read: fmt.Sprintf("read %d lines, %d records, %d malformed", r.Input.Lines, r.Input.Records, r.Input.Malformed)}
		titles = append(titles, r.Title)
		if !r.From.IsZero() {
			x.Span = r.From.Format(time.RFC3339) + " to " + r.To.Format(time.RFC3339)
		}
		for _, s := range r.Sections {
			y := sec{Title: s.Title, Notes: s.Notes, Table: htmlTable(s)}
			if s.Chart != nil {
				y.Chart = template.HTML(SVG(s.Chart))
			}
			x.Sections = append(x.Sections, y)
		}
		for _, m := range r.Input.MalformedAt {
			x.Malformed = append(x.Malformed, fmt.Sprintf("%s:%d: %s", m.Source, m.Line, m.Reason))
		}
		page.Reports = append(page.Reports, x)
	}
	page.Title = "log-report: " + strings.Join(titles, ", ")
	return pageTmpl.Execute(w, page)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2430;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
.meta,.note{color:#5b6573;font-size:13px} .note{margin:4px 0}
table{border-collapse:collapse;margin:8px 0 4px;font-size:13px} th,td{padding:3px 10px;border-bottom:1px solid #eceff4;text-align:left;white-space:nowrap}
th{background:#f4f6f9} td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart{display:block;margin:10px 0;background:#fff;border:1px solid #e3e7ee;border-radius:6px}
.chart text{font-size:11px;fill:#5b6573} .chart .title{font-size:13px;fill:#1d2430;font-weight:600}
.grid{stroke:#eef1f5} .axis{stroke:#9aa3b0} .rule{stroke:#c0392b;stroke-dasharray:4 3}
.line{fill:none;stroke-width:1.8} .mark{fill:#c0392b} .mark-label{fill:#c0392b!important}
section.report{margin-bottom:48px}
</style></head><body>
{{range .Reports}}<section class="report">
<h1>{{.Title}}</h1>
<div class="meta">{{if .Span}}{{.Span}} · {{end}}{{.Read}}</div>
{{range .Notes}}<p class="note">Note: {{.}}</p>{{end}}
{{range .Sections}}<h2>{{.Title}}</h2>
{{.Chart}}
{{.Table}}
{{range .Notes}}<p class="note">Note: {{.}}</p>{{end}}
{{end}}
{{if .Malformed}}<h2>Malformed lines (skipped)</h2>{{range .Malformed}}<div class="note">{{.}}</div>{{end}}{{end}}
</section>{{end}}
</body></html>
`))

// maxHTMLRows bounds a table on the page; the text and JSON have them all.
const maxHTMLRows = 50

func htmlTable(s *Section) template.HTML {
	var b strings.Builder
	if len(s.Rows) == 0 {
		return template.HTML(`<p class="note">(none)</p>`)
	}
	b.WriteString(`<table data-section="` + template.HTMLEscapeString(s.ID) + `"><thead><tr>`)
	for _, c := range s.Columns {
		b.WriteString("<th>" + template.HTMLEscapeString(c.Name) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for i, row := range s.Rows {
		if i == maxHTMLRows {
			break
		}
		b.WriteString("<tr>")
		for j, c := range s.Columns {
			var v any
			if j < len(row) {
				v = row[j]
			}
			cls := ""
			if c.Num {
				cls = ` class="num"`
			}
			b.WriteString("<td" + cls + ">" + template.HTMLEscapeString(cellText(v, true)) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	if len(s.Rows) > maxHTMLRows {
		fmt.Fprintf(&b, `<p class="note">first %d of %d rows</p>`, maxHTMLRows, len(s.Rows))
	} else if s.Total > 0 {
		fmt.Fprintf(&b, `<p class="note">top %d of %d</p>`, len(s.Rows), s.Total)
	}
	return template.HTML(b.String())
}

// palette: distinguishable, and readable on white.
var palette = []string{"#2f6fdf", "#e07b18", "#2a9d5b", "#b0399f", "#c0392b", "#6b7a8f"}

// SVG draws a chart. Its root carries data-chart, data-series and
// data-points (points per series), the numbers a browser test checks
// against what it finds drawn.
func SVG(c *Chart) string {
	const W, H = 1040.0, 300.0
	const left, right, top, bottom = 64.0, 16.0, 34.0, 46.0
	pw, ph := W-left-right, H-top-bottom
	n := len(c.X)
	if c.Labels != nil {
		n = len(c.Labels)
	}
	ymax := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				ymax = math.Max(ymax, v)
			}
		}
	}
	step, ticks := niceTicks(ymax)
	ytop := step * float64(ticks)
	var b strings.Builder
	points := make([]string, len(c.Series))
	for i, s := range c.Series {
		points[i] = strconv.Itoa(countPoints(s.Values))
	}
	fmt.Fprintf(&b, `<svg class="chart" id="chart-%s" data-chart="%s" data-kind="%s" data-series="%d" data-points="%s" viewBox="0 0 %g %g" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		esc(c.ID), esc(c.ID), esc(c.Kind), len(c.Series), strings.Join(points, ","), W, H, esc(c.Title))
	fmt.Fprintf(&b, `<text class="title" x="%g" y="20">%s</text>`, left, esc(c.Title))
	// legend, right-aligned in the title row
	lx := W - right
	for i := len(c.Series) - 1; i >= 0; i-- {
		name := c.Series[i].Name
		lx -= float64(len(name))*6.5 + 26
		fmt.Fprintf(&b, `<rect x="%.1f" y="11" width="12" height="12" fill="%s"/><text x="%.1f" y="21">%s</text>`, lx, palette[i%len(palette)], lx+16, esc(name))
	}
	x := func(i int) float64 {
		if c.Labels != nil || c.Kind == "bar" {
			return left + pw*(float64(i)+0.5)/float64(max(n, 1))
		}
		if n <= 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 { return top + ph - ph*v/ytop }
	for t := 0; t <= ticks; t++ {
		v := step * float64(t)
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`,
			left, W-right, y(v), y(v), left-6, y(v)+4, esc(formatTick(v)))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" x2="%g" y1="%g" y2="%g"/>`, left, W-right, top+ph, top+ph)
	fmt.Fprintf(&b, `<text x="14" y="%g" transform="rotate(-90 14 %g)" text-anchor="middle">%s</text>`, top+ph/2, top+ph/2, esc(c.YLabel))
	// x labels: about eight
	every := max(1, (n+7)/8)
	for i := 0; i < n; i += every {
		label := ""
		if c.Labels != nil {
			label = c.Labels[i]
		} else {
			label = timeLabel(c.X, i)
		}
		anchor := "middle"
		if x(i) > W-right-40 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="%s">%s</text>`, x(i), top+ph+16, anchor, esc(label))
	}
	for _, m := range c.Marks {
		if m.Line && m.At >= 0 && m.At < n {
			fmt.Fprintf(&b, `<line class="rule" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/><text class="mark-label" x="%.1f" y="%g">%s</text>`,
				x(m.At), x(m.At), top, top+ph, x(m.At)+4, top+12, esc(m.Label))
		}
	}
	for si, s := range c.Series {
		color := palette[si%len(palette)]
		if c.Kind == "bar" {
			bw := pw / float64(max(n, 1)) / float64(len(c.Series)) * 0.8
			fmt.Fprintf(&b, `<g class="series bar" data-name="%s" fill="%s">`, esc(s.Name), color)
			for i, v := range s.Values {
				if math.IsNaN(v) {
					continue
				}
				x0 := x(i) - bw*float64(len(c.Series))/2 + bw*float64(si)
				fmt.Fprintf(&b, `<rect class="point" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`,
					x0, y(v), bw, top+ph-y(v), esc(catLabel(c, i)), esc(formatTick(v)))
			}
			b.WriteString(`</g>`)
			continue
		}
		var d strings.Builder
		pen := false
		for i, v := range s.Values {
			if math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, x(i), y(v))
			pen = true
		}
		fmt.Fprintf(&b, `<path class="series line" data-name="%s" stroke="%s" d="%s"/>`, esc(s.Name), color, strings.TrimSpace(d.String()))
		if si == 0 {
			for _, m := range c.Marks {
				if !m.Line && m.At >= 0 && m.At < len(s.Values) && !math.IsNaN(s.Values[m.At]) {
					fmt.Fprintf(&b, `<circle class="mark" cx="%.1f" cy="%.1f" r="4"><title>%s %s</title></circle>`,
						x(m.At), y(s.Values[m.At]), esc(catLabel(c, m.At)), esc(m.Label))
				}
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func countPoints(vs []float64) int {
	n := 0
	for _, v := range vs {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

func catLabel(c *Chart, i int) string {
	if c.Labels != nil {
		return c.Labels[i]
	}
	if i < len(c.X) {
		return c.X[i].Format("2006-01-02 15:04:05")
	}
	return ""
}

// timeLabel writes a bucket's start as briefly as its neighbours allow.
func timeLabel(xs []time.Time, i int) string {
	t := xs[i]
	if len(xs) > 1 && xs[len(xs)-1].Sub(xs[0]) > 48*time.Hour {
		return t.Format("01-02 15h")
	}
	if i == 0 || xs[i-1].YearDay() != t.YearDay() {
		return t.Format("01-02 15:04")
	}
	return t.Format("15:04")
}

// niceTicks picks a step of 1, 2 or 5 × 10^k giving at most 5 ticks over
// [0, max].
func niceTicks(ymax float64) (float64, int) {
	if ymax <= 0 {
		return 1, 1
	}
	raw := ymax / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return step, int(math.Ceil(ymax / step))
}

func formatTick(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return formatFloat(v)
}

func esc(s string) string { return template.HTMLEscapeString(s) }
