package logevents

import (
	"bufio"
	"fmt"
	"io"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logformat"
)

// Output forms of the log-events command.
const (
	OutputTable = "table" // log-format's summary of each line
	OutputJSON  = "json"  // the API's event objects, one per line
	OutputRaw   = "raw"   // the stored lines, byte for byte, one per line
)

// Outputs returns the accepted --output values (a copy).
func Outputs() []string { return []string{OutputTable, OutputJSON, OutputRaw} }

// Printer writes events in one of the output forms.
type Printer struct {
	w      *bufio.Writer
	output string
	f      *logformat.Formatter
	buf    []byte
	n      int64
}

// PrinterOptions say how a Printer renders.
type PrinterOptions struct {
	Output        string // OutputTable (default), OutputJSON, OutputRaw
	Color         bool   // table: colour by level
	EscapeControl bool   // table: control characters made visible (a terminal)
	ShowSecrets   bool   // table: print credentials (raw and json print the line as stored)
}

// NewPrinter returns a Printer writing to w. Call Flush when done.
func NewPrinter(w io.Writer, o PrinterOptions) (*Printer, error) {
	p := &Printer{w: bufio.NewWriter(w), output: o.Output}
	switch o.Output {
	case "", OutputTable:
		p.output = OutputTable
		f, err := logformat.New(logformat.Options{Color: o.Color, EscapeControl: o.EscapeControl, ShowSecrets: o.ShowSecrets, Missing: "-"})
		if err != nil {
			return nil, err
		}
		p.f = f
	case OutputJSON, OutputRaw:
	default:
		return nil, fmt.Errorf("--output %q: one of table, json, raw", o.Output)
	}
	return p, nil
}

// Print writes one event.
func (p *Printer) Print(e *Event) error {
	p.n++
	switch p.output {
	case OutputJSON:
		p.w.Write(e.JSON)
	case OutputRaw:
		p.w.Write(e.Line)
	default:
		// The summary reads our lines and oslo.log's JSON; a text record
		// passes through as it is (its credentials masked), as in
		// log-format.
		l := input.Line{Source: "log-serve", Num: p.n, Text: e.Line, Piece: input.Whole}
		p.buf, _ = p.f.Append(p.buf[:0], &l)
		_, err := p.w.Write(p.buf)
		return err
	}
	return p.w.WriteByte('\n')
}

// Flush writes what is buffered.
func (p *Printer) Flush() error { return p.w.Flush() }
