package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// TextOptions configure [WriteText].
type TextOptions struct {
	Color    bool // ANSI colours (a terminal that wants them)
	MaxWidth int  // widest cell in columns; 0: 60
	Sections []string
	Tail     int // rows of a timeline table shown: its last ones; 0: 24
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiTitle = "\x1b[1;36m"
	ansiDim   = "\x1b[2m"
	ansiWarn  = "\x1b[33m"
)

// WriteText prints the report as aligned tables, one per section.
// Control characters of the logs' values are escaped, so a value cannot
// move the cursor or forge a line.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	bw := bufio.NewWriter(w)
	maxW := o.MaxWidth
	if maxW <= 0 {
		maxW = 60
	}
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	head := r.Title
	if !r.From.IsZero() {
		head += fmt.Sprintf(" — %s to %s", r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	fmt.Fprintln(bw, paint(ansiBold, head))
	fmt.Fprintf(bw, "read %d lines, %d records, %d malformed\n", r.Input.Lines, r.Input.Records, r.Input.Malformed)
	for _, n := range r.Notes {
		fmt.Fprintln(bw, paint(ansiDim, "note: "+n))
	}
	for _, s := range r.Sections {
		if !wanted(s, o.Sections) {
			continue
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, paint(ansiTitle, s.Title))
		rows := s.Rows
		tail := o.Tail
		if tail <= 0 {
			tail = 24
		}
		if s.Timeline && len(rows) > tail {
			rows = rows[len(rows)-tail:]
		}
		if len(rows) == 0 {
			fmt.Fprintln(bw, paint(ansiDim, "  (none)"))
		} else {
			cells := make([][]string, len(rows)+1)
			widths := make([]int, len(s.Columns))
			cells[0] = make([]string, len(s.Columns))
			for i, c := range s.Columns {
				cells[0][i] = c.Name
				widths[i] = displayWidth(c.Name)
			}
			for ri, row := range rows {
				cells[ri+1] = make([]string, len(s.Columns))
				for i := range s.Columns {
					var v any
					if i < len(row) {
						v = row[i]
					}
					t := fitWidth(cellText(v, true), maxW)
					cells[ri+1][i] = t
					widths[i] = max(widths[i], displayWidth(t))
				}
			}
			for ri, row := range cells {
				var b strings.Builder
				b.WriteString("  ")
				for i, t := range row {
					pad := widths[i] - displayWidth(t)
					last := i == len(row)-1
					if s.Columns[i].Num {
						b.WriteString(strings.Repeat(" ", pad))
						b.WriteString(t)
					} else {
						b.WriteString(t)
						if !last {
							b.WriteString(strings.Repeat(" ", pad))
						}
					}
					if !last {
						b.WriteString("  ")
					}
				}
				line := strings.TrimRight(b.String(), " ")
				if ri == 0 {
					line = paint(ansiBold, line)
				}
				fmt.Fprintln(bw, line)
			}
		}
		if len(rows) < len(s.Rows) {
			fmt.Fprintln(bw, paint(ansiDim, fmt.Sprintf("  (the last %d of %d rows; all of them with --output json or csv)", len(rows), len(s.Rows))))
		}
		if s.Total > 0 {
			fmt.Fprintln(bw, paint(ansiDim, fmt.Sprintf("  (top %d of %d)", len(s.Rows), s.Total)))
		}
		for _, n := range s.Notes {
			fmt.Fprintln(bw, paint(ansiDim, "  note: "+n))
		}
	}
	if r.Input.Malformed > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, paint(ansiWarn, fmt.Sprintf("Malformed lines: %d (skipped; the report is of the rest)", r.Input.Malformed)))
		for _, m := range r.Input.MalformedAt {
			fmt.Fprintf(bw, "  %s:%d: %s\n", escape(m.Source), m.Line, escape(m.Reason))
		}
		if n := r.Input.Malformed - int64(len(r.Input.MalformedAt)); n > 0 {
			fmt.Fprintf(bw, "  … and %d more\n", n)
		}
	}
	return bw.Flush()
}

func wanted(s *Section, ids []string) bool {
	if len(ids) == 0 {
		return true
	}
	for _, id := range ids {
		if id == s.ID {
			return true
		}
	}
	return false
}

// cellText formats a cell; human rounds times to the second.
func cellText(v any, human bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return escape(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case Dur:
		return formatDur(float64(x))
	case Pct:
		return strconv.FormatFloat(float64(x), 'f', 1, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if human {
			return x.UTC().Format("2006-01-02T15:04:05Z")
		}
		return x.UTC().Format(time.RFC3339Nano)
	}
	return escape(fmt.Sprint(v))
}

func formatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	a := math.Abs(x)
	prec := 1
	switch {
	case a == 0:
		return "0"
	case a < 0.01:
		prec = 4
	case a < 1:
		prec = 3
	case a < 100:
		prec = 2
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// formatDur prints milliseconds with three significant digits or more:
// the percentiles are good to 1%, so more would be noise.
func formatDur(ms float64) string {
	a := math.Abs(ms)
	prec := 0
	switch {
	case a < 1:
		prec = 3
	case a < 10:
		prec = 2
	case a < 100:
		prec = 1
	}
	return strconv.FormatFloat(ms, 'f', prec, 64)
}

// escape writes control characters, and the invalid bytes of a value, as
// Go escapes.
func escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func fitWidth(s string, max int) string {
	if displayWidth(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := displayWidth(string(r))
		if n+w > max-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	b.WriteString("…")
	return b.String()
}
