package serve

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
)

// ingestTypes are the Content-Types POST /v1/events takes: NDJSON under
// its several names, JSON (a body of one object per line is also JSON
// text per line), plain text, and gzip (unpacked by its magic bytes). A
// missing Content-Type is read as NDJSON.
var ingestTypes = map[string]bool{
	"application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true,
	"application/x-jsonlines": true, "application/jsonlines": true, "application/json": true,
	"text/plain": true, "application/gzip": true, "application/x-gzip": true,
}

// ingestAnswer is the body of an ingest answer.
type ingestAnswer struct {
	accepted, duplicates, rejected int
	errors                         []lineError
	// when the request stopped early (413, 503, a broken body)
	stopped  string
	lastLine int // the last line read when it stopped
}

type lineError struct {
	line   int
	reason string
}

func (a *ingestAnswer) json() []byte {
	b := fmt.Appendf(nil, `{"accepted":%d,"duplicates":%d,"rejected":%d,"errors":[`, a.accepted, a.duplicates, a.rejected)
	for i, e := range a.errors {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"line":%d,"reason":`, e.line)
		b = appendString(b, e.reason)
		b = append(b, '}')
	}
	b = append(b, ']')
	if a.rejected > len(a.errors) {
		b = fmt.Appendf(b, `,"errors_listed":%d`, len(a.errors))
	}
	if a.stopped != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, a.stopped)
		b = fmt.Appendf(b, `,"last_line":%d`, a.lastLine)
	}
	return append(b, '}')
}

var errTooLarge = errors.New("body too large")

// stopInsert carries an Insert error out of ReadLines's callback.
type stopInsert struct{ err error }

func (e *stopInsert) Error() string { return e.err.Error() }

// postEvents is POST /v1/events: each line of the body through ParseLine,
// the good ones stored in batches, each batch committed before the next
// is read, all before the answer. Blank lines are skipped, not counted.
//
// Status: 200 when every line was stored (or already stored); 422 when
// some were rejected — the others are stored all the same, and the body
// lists the rejected lines and why; 413 past MaxBodyBytes and 503 when
// the store is away, with the counts of what was stored before that point
// (sending the whole body again is safe: content IDs make the lines
// already stored duplicates); 400 for a body that cannot be read (bad
// gzip); 415 for another Content-Type or Content-Encoding; 403 without the
// ingest role.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request, id Identity) {
	if !id.MayIngest() {
		writeError(w, http.StatusForbidden, "storing events needs the "+RoleIngest+" role (or "+RoleAdmin+")")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !ingestTypes[mt] {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type "+strconv.Quote(clip(ct, 100))+
				" is not taken: send application/x-ndjson (one JSON line per event), plain or gzip")
			return
		}
	}
	gzipped := false
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gzipped = true
	default:
		writeError(w, http.StatusUnsupportedMediaType, "Content-Encoding "+strconv.Quote(clip(enc, 100))+" is not taken: send gzip or none")
		return
	}
	max := s.o.MaxBodyBytes
	if r.ContentLength > max {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is %d bytes, more than the %d this server takes: send it in parts", r.ContentLength, max))
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, max)
	if gzipped {
		zr, err := gzip.NewReader(body)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Content-Encoding gzip, but the body is not gzip: "+err.Error())
			return
		}
		defer zr.Close()
		body = zr
	}

	var (
		ans    ingestAnswer
		batch  = make([]events.Event, 0, s.o.BatchSize)
		first  int // line number of batch[0]
		unpack int64
		ctx    = r.Context()
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := s.o.Store.Insert(ctx, batch)
		if err != nil {
			return &stopInsert{err: fmt.Errorf("lines %d on: %w", first, err)}
		}
		ans.accepted += res.Inserted
		ans.duplicates += res.Duplicates
		clear(batch)
		batch = batch[:0]
		return nil
	}
	reject := func(n int, reason string) {
		ans.rejected++
		if len(ans.errors) < s.o.MaxErrors {
			ans.errors = append(ans.errors, lineError{n, clip(reason, 500)})
		}
	}
	err := s.o.ReadLines(body, func(n int, raw []byte) error {
		ans.lastLine = n
		if raw == nil {
			reject(n, ingest.ErrLineTooLong.Error())
			return nil
		}
		unpack += int64(len(raw))
		if unpack > max {
			return errTooLarge
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		ev, err := s.o.ParseLine(raw)
		if err != nil {
			reject(n, err.Error())
			return nil
		}
		if reason := storable(&ev); reason != "" {
			reject(n, reason)
			return nil
		}
		if len(batch) == 0 {
			first = n
		}
		batch = append(batch, ev)
		if len(batch) >= s.o.BatchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	var mbe *http.MaxBytesError
	var si *stopInsert
	status := http.StatusOK
	switch {
	case err == nil:
		if ans.rejected > 0 {
			status = http.StatusUnprocessableEntity
		}
	case errors.As(err, &si):
		if errors.Is(si.err, events.ErrUnavailable) {
			s.log.WarnContext(ctx, "store unavailable during ingest", auditlog.Err(si.err))
			s.retryAfter(w)
			status = http.StatusServiceUnavailable
			ans.stopped = fmt.Sprintf("the event store is unavailable: nothing from line %d on was stored; send again later (lines already stored count as duplicates)", first)
		} else if ctx.Err() != nil {
			return // the client went away; the batch was not stored
		} else {
			s.log.ErrorContext(ctx, "store error during ingest", auditlog.Err(si.err))
			status = http.StatusInternalServerError
			ans.stopped = fmt.Sprintf("the event store failed: nothing from line %d on was stored; the server's log says why", first)
		}
	case errors.Is(err, errTooLarge) || errors.As(err, &mbe):
		status = http.StatusRequestEntityTooLarge
		ans.stopped = fmt.Sprintf("the body is more than the %d bytes this server takes (stopped at line %d; what came before is stored): send it in parts", max, ans.lastLine)
	default:
		if ctx.Err() != nil {
			return
		}
		status = http.StatusBadRequest
		ans.stopped = "the body could not be read: " + clip(err.Error(), 300) + " (what came before is stored)"
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "ingested", auditlog.Action("ingest"),
		slog.Int("accepted", ans.accepted), slog.Int("duplicates", ans.duplicates), slog.Int("rejected", ans.rejected))
	writeJSON(w, status, ans.json())
}

// storable says why the store would refuse ev (see [events.Store.Insert]),
// so that such a line is rejected alone instead of failing its batch.
func storable(ev *events.Event) string {
	if _, ok := events.LevelRank(ev.Level); !ok {
		return fmt.Sprintf("level %q is not one of %s", ev.Level, strings.Join(events.Levels(), ", "))
	}
	if ev.Time.IsZero() {
		return "the line has no time"
	}
	if ev.ID != "" && !events.ValidID(ev.ID) {
		return "the event id is malformed"
	}
	return ""
}
