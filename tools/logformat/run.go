package logformat

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// Preset returns the named format -f accepts instead of a format string,
// and whether there is one by that name. "summary" is the default and is
// not a template (its text is empty): see the package doc.
func Preset(name string) (string, bool) {
	p, ok := presets[name]
	return p, ok
}

var presets = map[string]string{
	"summary": "",
	"short":   "%(timestamp)s %(level)s %(message)s",
	// oslo.log's context format, as nova writes its text logs.
	"oslo": "%(timestamp)s %(level)s %(service)s [%(context.request_id)s %(user.id)s %(user.project_id)s] %(message)s",
	// oslo.log's convert-json output (see ConvertJSON): its default
	// --prefix, the message, then each traceback line after the prefix.
	"convert-json": DefaultPrefix + " %(message)s",
	"access":       "%(timestamp)s %(context.request_id)s %(user.id)s %(rpc.method)s %(rpc.route)s %(status)s %(duration_ms)s",
	// One field per column, the message quoted so it holds no tab or newline.
	"tsv": `%(timestamp)s\t%(level)s\t%(service)s\t%(context.request_id)s\t%(user.id)s\t%(user.project_id)s\t%(action)s\t%(target.type)s\t%(target.id)s\t%(status)s\t%(duration_ms)s\t%(message)r`,
}

// PresetNames lists the presets, sorted, for help and error messages.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Options are what log-format was asked to do.
type Options struct {
	// Format is a %-style format string (see [Template]) or a preset name;
	// empty means the summary.
	Format string
	// Missing is printed for a key the line lacks (or holds null).
	Missing string
	// NoAliases reads keys only as written, without oslo.log and Go logger
	// aliases.
	NoAliases bool
	// Locator is a format appended to DEBUG lines (convert-json's
	// --locator, e.g. "[%(funcname)s %(pathname)s:%(lineno)s]"); empty: none.
	Locator string
	// Traceback prints the exception's stack trace below each line,
	// indented. The summary and convert-json always do, unless NoTraceback.
	Traceback bool
	// NoTraceback leaves stack traces out, in every format.
	NoTraceback bool
	// TracebackKey is the key a format string's Traceback reads (with its
	// aliases); "exception.stacktrace" if empty.
	TracebackKey string
	// ConvertJSON, when set, formats as oslo.log's convert-json does (see
	// ConvertJSON); Format "convert-json" sets it with the defaults.
	ConvertJSON *ConvertJSON
	Filter      Filter
	// Lines, when above 0, prints only the last Lines lines of output (a
	// multi-line event counts as one), like convert-json's -n.
	Lines int
	// Color colours levels and exceptions (ANSI).
	Color bool
	// EscapeControl writes control characters in values as visible escapes.
	// Set it when the output is a terminal.
	EscapeControl bool
	// ShowSecrets prints credentials (values under keys such as auth_token
	// or password) as the line has them; by default they print as
	// [REDACTED], whoever wrote the line.
	ShowSecrets bool
	// WithFilename puts the input's name before each line, as grep -H does.
	WithFilename bool
}

// Formatter turns lines into output lines. It is not safe for concurrent use.
type Formatter struct {
	opts   Options
	fields *logline.Fields
	vals   [][]byte
	tmpl   *Template
	sum    *summary
	cj     *convertJSON
	stack  logline.Lookup
	loc    *Template      // the locator, if any
	level  logline.Lookup // read for the locator
	filter *compiled
	r      render
	minLvl int
	buf    []byte
}

// New compiles the options into a Formatter.
func New(o Options) (*Formatter, error) {
	f := &Formatter{opts: o, fields: logline.NewFields()}
	f.r = render{missing: o.Missing, escapeControl: o.EscapeControl, color: o.Color}
	if !o.ShowSecrets {
		f.r.sensitive = sensitiveKey
	}
	aliases := !o.NoAliases
	format := o.Format
	if format == "" {
		format = "summary"
	}
	if format == "convert-json" && o.ConvertJSON == nil {
		o.ConvertJSON = &ConvertJSON{Prefix: DefaultPrefix}
		f.opts.ConvertJSON = o.ConvertJSON
	}
	if o.ConvertJSON != nil {
		if format != "convert-json" {
			return nil, fmt.Errorf("--prefix is convert-json's format: it goes with -f convert-json (or no -f), not -f %q", o.Format)
		}
		cj, err := newConvertJSON(*o.ConvertJSON, &o, f.fields, aliases)
		if err != nil {
			return nil, err
		}
		f.cj = cj
		format = ""
	} else if p, ok := presets[format]; ok {
		format = p
	} else if !strings.Contains(format, "%") {
		return nil, fmt.Errorf("-f %q: not a format string (no %%(key)s in it) and not a preset (%s)", format, strings.Join(PresetNames(), ", "))
	}
	if f.cj != nil {
		// everything is compiled
	} else if format == "" {
		f.sum = newSummary(f.fields, aliases)
		f.sum.noStack = o.NoTraceback
	} else {
		t, err := Compile(format, f.fields, aliases)
		if err != nil {
			return nil, err
		}
		f.tmpl = t
		if o.Traceback && !o.NoTraceback {
			key := o.TracebackKey
			if key == "" {
				key = "exception.stacktrace"
			}
			f.stack = f.fields.AddLookup(key, aliases)
		}
	}
	if o.Locator != "" && f.cj == nil {
		t, err := Compile(o.Locator, f.fields, aliases)
		if err != nil {
			return nil, fmt.Errorf("--locator: %w", err)
		}
		f.loc = t
		f.level = f.fields.AddLookup("level", true)
		if o.Filter.LevelKey != "" {
			f.level = f.fields.AddLookup(o.Filter.LevelKey, false)
		}
	}
	c, err := o.Filter.compile(f.fields, aliases)
	if err != nil {
		return nil, err
	}
	f.filter = c
	f.minLvl = c.minRank
	f.vals = make([][]byte, f.fields.Len())
	return f, nil
}

// Append formats one input line onto dst. keep is false when a filter
// drops the line (dst is then returned unchanged).
func (f *Formatter) Append(dst []byte, l *input.Line) (out []byte, keep bool) {
	start := len(dst)
	if f.opts.WithFilename && l.Piece <= input.First && !l.GroupSep {
		dst = append(dst, l.Source...)
		dst = append(dst, ':')
	}
	if l.GroupSep {
		if f.filter.on { // grep's groups mean nothing once lines are dropped
			return dst[:start], false
		}
		return append(dst, "--\n"...), true
	}
	if l.Piece != input.Whole { // a line too long to parse: as it came
		if f.filter.on {
			return dst[:start], false
		}
		if l.Piece == input.First {
			dst = append(dst, l.Prefix...)
		}
		dst = f.appendText(dst, l.Text)
		if l.Piece == input.Last {
			dst = append(dst, '\n')
		}
		return dst, true
	}
	if !l.IsJSONObject() || !f.extract(l.Text) {
		if f.filter.on && !f.opts.Filter.matchText(l.Text, f.minLvl) {
			return dst[:start], false
		}
		dst = append(dst, l.Prefix...)
		dst = f.appendText(dst, l.Text)
		return append(dst, '\n'), true
	}
	if !f.filter.match(f.vals) {
		return dst[:start], false
	}
	dst = append(dst, l.Prefix...)
	if f.sum != nil {
		dst = f.sum.Append(dst, f.vals, &f.r)
	} else if f.cj != nil {
		dst = f.cj.Append(dst, l.Text, f.vals, &f.r)
	} else {
		dst = f.tmpl.Append(dst, f.vals, &f.r)
		if f.loc != nil {
			if _, rank, ok := logline.LevelOf(f.level.Get(f.vals)); ok && rank <= logline.RankDebug {
				dst = append(dst, ' ')
				dst = f.loc.Append(dst, f.vals, &f.r)
			}
		}
		if f.stack.Path != "" {
			if v := f.stack.Get(f.vals); v != nil {
				f.buf = f.r.appendStack(f.buf[:0], v)
				dst = appendIndented(dst, trimNewlines(f.buf))
			}
		}
	}
	return append(dst, '\n'), true
}

// extract fills f.vals from a JSON line. A template reads the line only as
// far as its values are settled (logline's ExtractEarly: a long oslo.log
// line whose message is at the front need not be walked to its end);
// convert-json, which shows the record whole, walks all of it.
func (f *Formatter) extract(text []byte) bool {
	if f.cj != nil {
		return f.fields.Extract(text, f.vals)
	}
	return f.fields.ExtractEarly(text, f.vals)
}

// appendText appends a line that is not JSON (an oslo.log text line, a
// traceback, a piece of a line too long to parse) as it came, except for
// the credentials it quotes in the open (X-Auth-Token: …, password=…, a
// URL's password), which print as [REDACTED] unless ShowSecrets: a text
// log leaks exactly as a JSON one would.
func (f *Formatter) appendText(dst, text []byte) []byte {
	if f.r.sensitive == nil {
		return append(dst, text...)
	}
	if f.r.nameFn == nil {
		f.r.nameFn = f.r.sensitiveName
	}
	return logline.AppendMaskedText(dst, text, f.r.nameFn)
}

func trimNewlines(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Run formats every line of r onto w. It returns the first write error (a
// closed pipe among them), or nil; input errors are the reader's to report.
// When w is a *bufio.Writer it is used as it is, so that the caller can
// flush it when the input goes idle (see input.Options.OnIdle); otherwise
// Run buffers w itself.
func (f *Formatter) Run(r *input.Reader, w io.Writer) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 256<<10)
	}
	var ring [][]byte
	next := 0
	buf := make([]byte, 0, 64<<10)
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		out, keep := f.Append(buf[:0], l)
		if !keep {
			continue
		}
		if f.opts.Lines > 0 {
			if len(ring) < f.opts.Lines {
				ring = append(ring, append([]byte(nil), out...))
			} else {
				ring[next] = append(ring[next][:0], out...)
				next = (next + 1) % f.opts.Lines
			}
			continue
		}
		if _, err := bw.Write(out); err != nil {
			return err
		}
		if cap(out) > 1<<20 {
			buf = make([]byte, 0, 64<<10) // don't keep a huge buffer after one huge line
		} else {
			buf = out
		}
	}
	for i := range ring {
		if _, err := bw.Write(ring[(next+i)%len(ring)]); err != nil {
			return err
		}
	}
	return bw.Flush() // a cancelled --follow is a normal end, not an error
}
