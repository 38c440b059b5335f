package logevents

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logformat"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// Monitor formats.
const (
	FormatPretty = "pretty" // log-format's summary of the line
	FormatJSON   = "json"   // the envelope, one per line
	FormatYAML   = "yaml"   // the envelope as a YAML document, as lxc monitor prints
)

// MonitorOptions say what to watch and how to print it.
type MonitorOptions struct {
	// Query holds the stream's parameters: type, filters, project…
	Query url.Values
	// Since is the cursor to resume after; empty starts live.
	Since string
	// Format is FormatPretty, FormatJSON or FormatYAML (default pretty).
	Format string
	// MinLevel, for pretty only, drops lines below it (DEBUG…CRITICAL).
	MinLevel      string
	Color         bool
	EscapeControl bool
	// Backoff bounds the waits between reconnections (defaults 250 ms to
	// 10 s).
	MinBackoff, MaxBackoff time.Duration
	// Log says what the monitor does (reconnecting, resuming, gaps): the
	// command's stderr.
	Log io.Writer
	// Stop, when set, ends the monitor after it has printed Stop events
	// (for tests and `--count`).
	Stop int
}

// envelope is LXD's event, as the stream sends it.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Location  string          `json:"location"`
	Cursor    string          `json:"cursor"`
	Project   string          `json:"project,omitempty"`
	Metadata  json.RawMessage `json:"metadata"`
}

// Monitor prints the stream until ctx ends (nil then) or the server
// refuses the request (an *APIError: bad filters, no credentials). A lost
// connection is not an error: it reconnects with back-off and resumes
// after the last event printed, saying so on o.Log; a gap the server
// reports (this monitor read too slowly) is replayed from the stream and
// said on o.Log too.
func (c *Client) Monitor(ctx context.Context, w io.Writer, o MonitorOptions) error {
	m, err := newMonitor(w, o)
	if err != nil {
		return err
	}
	minB, maxB := o.MinBackoff, o.MaxBackoff
	if minB <= 0 {
		minB = 250 * time.Millisecond
	}
	if maxB <= 0 {
		maxB = 10 * time.Second
	}
	backoff := minB
	cursor := o.Since
	for attempt := 0; ; attempt++ {
		if attempt > 0 && cursor != "" {
			m.logf("log-events: reconnected; resuming after event %s", cursor)
		}
		got, err := c.stream(ctx, o.Query, cursor, "", m)
		if got > 0 {
			backoff = minB
		}
		cursor = m.last
		var apiErr *APIError
		switch {
		case errors.Is(err, errStop):
			return m.flush()
		case ctx.Err() != nil:
			return m.flush()
		case errors.As(err, &apiErr) && apiErr.Status < 500:
			m.flush()
			return err
		}
		m.flush()
		m.logf("log-events: stream lost (%v); reconnecting in %s", err, backoff.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxB)
	}
}

// errStop ends the monitor (Stop events printed); errThrough ends a gap's
// replay (its last event reached).
var (
	errStop    = errors.New("stop")
	errThrough = errors.New("through")
)

// stream reads one connection's events. through, when set, ends it at the
// event of that cursor (a gap's replay). It returns how many events it
// handled.
func (c *Client) stream(ctx context.Context, q url.Values, since, through string, m *monitor) (int, error) {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	if since != "" {
		v.Set("since", since)
	}
	u, err := c.endpoint("/v1/events/stream", v)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := &http.Client{} // no timeout: a stream lasts; the server's heartbeats show it is alive
	if c.HTTP != nil && c.HTTP.Transport != nil {
		hc.Transport = c.HTTP.Transport
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("cannot reach log-serve at %s: %w", c.URL, unwrapURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return 0, &APIError{Status: resp.StatusCode, Message: errorMessage(body)}
	}
	// A connection that stays silent past three heartbeats is dead.
	alive := make(chan struct{}, 1)
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-watchCtx.Done():
				return
			case <-alive:
				t.Reset(time.Minute)
			case <-t.C:
				resp.Body.Close()
				return
			}
		}
	}()
	// A bufio.Reader rather than a Scanner: it says when everything received
	// so far has been read (Buffered() == 0), which is when what was printed
	// should go out, so `monitor | grep` sees each event as it comes instead
	// of at the next heartbeat.
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	var event, data string
	n := 0
	for {
		line, rerr := br.ReadString('\n')
		if rerr != nil {
			if rerr == io.EOF {
				break
			}
			return n, rerr
		}
		if len(line) > maxEventLine {
			return n, fmt.Errorf("a line of the stream is longer than %d bytes", maxEventLine)
		}
		select {
		case alive <- struct{}{}:
		default:
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		switch {
		case line == "":
			if data == "" {
				continue
			}
			ev, d := event, data
			event, data = "", ""
			switch ev {
			case "end":
				return n, errors.New("the server is stopping")
			case "dropped":
				// Live, or in a replay that fell behind in its turn: what
				// was missed is replayed (in a replay, up to its own end).
				reached, err := c.replayGap(ctx, q, d, through, m)
				if err != nil {
					return n, err
				}
				if reached {
					return n, errThrough
				}
				continue
			}
			var env envelope
			if err := json.Unmarshal([]byte(d), &env); err != nil {
				m.logf("log-events: an event the stream sent is not JSON (%v); skipped", err)
				continue
			}
			n++
			if through != "" && seqAfter(env.Cursor, through) {
				return n, errThrough
			}
			if err := m.print(&env, d); err != nil {
				return n, err
			}
			if br.Buffered() == 0 {
				m.flush() // nothing more has arrived: what was printed goes out now
			}
			if through != "" && env.Cursor == through {
				return n, errThrough
			}
		case strings.HasPrefix(line, ":"):
			m.flush() // idle: what was printed goes out now
		case strings.HasPrefix(line, "event: "):
			event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		}
	}
	return n, io.ErrUnexpectedEOF
}

// maxEventLine bounds one line of the stream, as the server bounds a line
// it stores.
const maxEventLine = 64 << 20

// seqAfter reports whether cursor a is past b (both Seqs).
func seqAfter(a, b string) bool {
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return err1 == nil && err2 == nil && x > y
}

// replayGap prints the events a dropped notice says were missed, read
// again from the stream between its cursors. limit is the end of the
// replay the notice came in ("" for the live stream): a replay is a stream
// too, with a buffer that can overflow, and what it missed is replayed up
// to limit only, since the live stream prints what comes after. reached
// reports that this replay went as far as limit.
func (c *Client) replayGap(ctx context.Context, q url.Values, data, limit string, m *monitor) (reached bool, err error) {
	var env struct {
		Metadata struct {
			Count   int64  `json:"count"`
			After   string `json:"after"`
			Through string `json:"through"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(data), &env); err != nil {
		return false, fmt.Errorf("a dropped notice that is not JSON: %w", err)
	}
	g := env.Metadata
	through := g.Through
	if limit != "" {
		if !seqAfter(limit, g.After) {
			return true, nil // all it missed lies past the replay's end
		}
		if through == "" || !seqAfter(limit, through) {
			through, reached = limit, true
		}
	}
	m.logf("log-events: fell behind and missed %d event(s) after %s; replaying them (they print out of order)", g.Count, g.After)
	last, was := m.last, m.replaying
	m.replaying = true
	_, err = c.stream(ctx, q, g.After, through, m)
	m.replaying, m.last = was, last
	switch {
	case errors.Is(err, errThrough):
		return reached, nil
	case errors.Is(err, errStop):
		return false, err
	}
	return false, fmt.Errorf("replaying what was missed: %w", err)
}

// monitor prints envelopes in one format.
type monitor struct {
	w         *bufio.Writer
	o         MonitorOptions
	f         *logformat.Formatter
	minRank   int
	buf       []byte
	last      string // cursor of the last event printed live
	replaying bool
	printed   int
}

func newMonitor(w io.Writer, o MonitorOptions) (*monitor, error) {
	m := &monitor{w: bufio.NewWriter(w), o: o, minRank: -1}
	switch o.Format {
	case "", FormatPretty:
		m.o.Format = FormatPretty
		f, err := logformat.New(logformat.Options{Color: o.Color, EscapeControl: o.EscapeControl, Missing: "-"})
		if err != nil {
			return nil, err
		}
		m.f = f
	case FormatJSON, FormatYAML:
	default:
		return nil, fmt.Errorf("--format %q: one of pretty, json, yaml", o.Format)
	}
	if o.MinLevel != "" {
		_, r, ok := logline.LevelOf([]byte(strconv.Quote(o.MinLevel)))
		if !ok {
			return nil, fmt.Errorf("--loglevel %q: not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL)", o.MinLevel)
		}
		m.minRank = r
	}
	return m, nil
}

func (m *monitor) logf(format string, args ...any) {
	if m.o.Log != nil {
		m.flush()
		fmt.Fprintf(m.o.Log, format+"\n", args...)
	}
}

func (m *monitor) flush() error { return m.w.Flush() }

func (m *monitor) print(env *envelope, data string) error {
	if !m.replaying {
		m.last = env.Cursor
	}
	switch m.o.Format {
	case FormatJSON:
		m.w.WriteString(data)
		m.w.WriteByte('\n')
	case FormatYAML:
		if err := m.yaml(data); err != nil {
			return err
		}
	default:
		line := []byte(env.Metadata)
		if len(line) > 0 && line[0] == '"' {
			var s string
			if json.Unmarshal(line, &s) == nil {
				line = []byte(s)
			}
		}
		if m.minRank >= 0 {
			if _, r, ok := levelOfLine(line); ok && r < m.minRank {
				return m.counted()
			}
		}
		l := input.Line{Source: env.Location, Text: line, Piece: input.Whole}
		m.buf, _ = m.f.Append(m.buf[:0], &l)
		m.w.Write(m.buf)
	}
	return m.counted()
}

func (m *monitor) counted() error {
	m.printed++
	if m.o.Stop > 0 && m.printed >= m.o.Stop {
		return errStop
	}
	return nil
}

// levelOfLine reads the level of a JSON line (ours or oslo.log's) or of
// an oslo.log text line.
func levelOfLine(line []byte) (string, int, bool) {
	if len(line) > 0 && line[0] == '{' {
		var v struct {
			Level     json.RawMessage `json:"level"`
			Levelname json.RawMessage `json:"levelname"`
		}
		if json.Unmarshal(line, &v) == nil {
			if v.Level == nil {
				v.Level = v.Levelname
			}
			return logline.LevelOf(v.Level)
		}
	}
	first, _, _ := bytes.Cut(line, []byte("\n"))
	if rec, err := oslolog.ParseLine(first, time.UTC); err == nil {
		return logline.LevelOf([]byte(strconv.Quote(rec.Level)))
	}
	return "", 0, false
}

// yaml prints one envelope as a YAML document, keys in the stream's order,
// as lxc monitor does.
func (m *monitor) yaml(data string) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(data), &n); err != nil {
		return fmt.Errorf("an event as YAML: %w", err)
	}
	blockStyle(&n)
	m.w.WriteString("---\n")
	enc := yaml.NewEncoder(m.w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle turns JSON's flow style into YAML's block style, keeping
// strings quoted where YAML would read them otherwise.
func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = 0
	}
	if n.Kind == yaml.ScalarNode && n.Style&yaml.DoubleQuotedStyle != 0 {
		n.Style = 0 // the encoder quotes what needs it
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
