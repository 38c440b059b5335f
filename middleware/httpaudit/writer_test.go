package httpaudit_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

func TestPanic(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000") // must not survive into the 500
		var m map[string]int
		//lint:ignore SA5000 the handler's bug, on purpose: a runtime panic
		m["boom"]++
	}), nil)
	resp, body := e.do(t, "DELETE", "/v2.1/servers/5f1e0b9c", nil, "")
	if resp.StatusCode != 500 || !strings.Contains(body, "Internal Server Error") {
		t.Errorf("response %d %q, want 500", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("the 500 lost the request id header")
	}
	ex := linesOfKind(e.rec, "exception")
	req := requestLines(e.rec)
	if len(ex) != 1 || len(req) != 1 || e.rec.Len() != 2 {
		t.Fatalf("want one exception line and one request line:\n%s", e.rec)
	}
	expect(t, ex[0], map[string]string{
		"level":              "CRITICAL",
		"message":            "panic serving DELETE /v2.1/servers/5f1e0b9c",
		"action":             "delete",
		"target.id":          "5f1e0b9c",
		"context.request_id": resp.Header.Get("X-Request-Id"),
	})
	if st := str(ex[0], "exception.stacktrace"); !strings.Contains(st, "TestPanic") {
		t.Errorf("stack does not start at the panic:\n%s", st)
	}
	if msg := str(ex[0], "exception.message"); !strings.Contains(msg, "nil map") {
		t.Errorf("exception.message = %q", msg)
	}
	expect(t, req[0], map[string]string{
		"status": "500", "level": "ERROR", "outcome": "failure", "attrs.panicked": "true",
		"attrs.aborted": "", "action": "delete",
		"context.request_id": resp.Header.Get("X-Request-Id"),
	})
}

func TestPanicAfterWrite(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		panic("late")
	}), nil)
	req, _ := http.NewRequest("GET", e.srv.URL+"/x", nil)
	resp, err := e.srv.Client().Do(req)
	if err == nil {
		// The header was out: the client sees 200, then a broken body,
		// never a clean end.
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Errorf("the client read a cut-off body as a whole one")
	}
	e.wait(t, 1)
	expect(t, requestLines(e.rec)[0], map[string]string{
		"status": "200", "level": "ERROR", "outcome": "failure",
		"attrs.panicked": "true", "attrs.aborted": "true", "rpc.response_bytes": "7",
	})
	if len(linesOfKind(e.rec, "exception")) != 1 {
		t.Errorf("no exception line:\n%s", e.rec)
	}
}

func TestRepanic(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), nil,
		httpaudit.WithRepanic(true))
	req, _ := http.NewRequest("GET", e.srv.URL+"/x", nil)
	if resp, err := e.srv.Client().Do(req); err == nil {
		// net/http closes the connection on a panic: no response.
		resp.Body.Close()
		t.Errorf("got a response %d, want none", resp.StatusCode)
	}
	e.wait(t, 1)
	if len(linesOfKind(e.rec, "exception")) != 1 {
		t.Errorf("no exception line:\n%s", e.rec)
	}
	expect(t, requestLines(e.rec)[0], map[string]string{
		"status": "", "level": "ERROR", "attrs.panicked": "true", "attrs.aborted": "true",
	})

	// Directly, the panic value comes out unchanged.
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep, httpaudit.WithRepanic(true))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errSentinel)
	}))
	func() {
		defer func() {
			if v := recover(); v != errSentinel {
				t.Errorf("recovered %v, want the handler's value", v)
			}
		}()
		h.ServeHTTP(newRecorder(), newRequest("GET", "/", ""))
	}()
	if rec.Len() != 2 {
		t.Errorf("%d lines, want exception and request:\n%s", rec.Len(), rec)
	}
}

var errSentinel = errors.New("sentinel")

func TestErrAbortHandler(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "some")
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}), nil)
	req, _ := http.NewRequest("GET", e.srv.URL+"/proxy", nil)
	resp, err := e.srv.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Errorf("the response was not aborted")
	}
	e.wait(t, 1)
	if len(linesOfKind(e.rec, "exception")) != 0 {
		t.Errorf("ErrAbortHandler is not an exception:\n%s", e.rec)
	}
	expect(t, requestLines(e.rec)[0], map[string]string{
		"status": "200", "level": "ERROR", "attrs.aborted": "true", "attrs.panicked": "",
		"rpc.response_bytes": "4",
	})

	// Directly: re-raised as it came, even with nothing written.
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(newRecorder(), newRequest("GET", "/", ""))
	}()
	expect(t, rec.Last(), map[string]string{"status": "", "attrs.aborted": "true"})
}

func TestGoexit(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	h := httpaudit.New(rep)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		runtime.Goexit() // t.FailNow in a test handler does this
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(newRecorder(), newRequest("GET", "/", ""))
	}()
	<-done
	expect(t, rec.Last(), map[string]string{"status": "418", "level": "ERROR", "attrs.aborted": "true"})
}

func TestStatus(t *testing.T) {
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		want    map[string]string
	}{
		{"nothing written", func(http.ResponseWriter, *http.Request) {}, map[string]string{"status": "200", "rpc.response_bytes": "0"}},
		{"write defaults to 200", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("abc"))
			w.WriteHeader(http.StatusTeapot) // superfluous
		}, map[string]string{"status": "200", "rpc.response_bytes": "3"}},
		{"first status wins", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusTeapot)
		}, map[string]string{"status": "201"}},
		{"1xx is not final", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNotFound)
		}, map[string]string{"status": "404", "level": "WARNING"}},
		{"WriteString counted", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello, world")
		}, map[string]string{"status": "200", "rpc.response_bytes": "12"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.handler, nil)
			e.do(t, "GET", "/", nil, "")
			expect(t, e.rec.Last(), c.want)
		})
	}
}

func TestStreamingFlush(t *testing.T) {
	next := make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for i := range 3 {
			io.WriteString(w, "chunk\n")
			if err := rc.Flush(); err != nil {
				t.Errorf("flush %d: %v", i, err)
			}
			<-next // the client must have the chunk before the next is made
		}
	}), nil)
	resp, err := e.srv.Client().Get(e.srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if err != nil || line != "chunk\n" {
			t.Fatalf("chunk %d: %q, %v", i, line, err)
		}
		next <- struct{}{}
	}
	io.Copy(io.Discard, br)
	resp.Body.Close()
	e.wait(t, 1)
	expect(t, e.rec.Last(), map[string]string{"status": "200", "rpc.response_bytes": "18"})
}

func TestFlushNotSupported(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	var flushErr, hijackErr error
	h := httpaudit.New(rep)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		flushErr = rc.Flush()
		_, _, hijackErr = rc.Hijack()
		w.(http.Flusher).Flush() // must not panic
	}))
	h.ServeHTTP(plainWriter{newRecorder()}, newRequest("GET", "/", ""))
	if !errors.Is(flushErr, http.ErrNotSupported) || !errors.Is(hijackErr, http.ErrNotSupported) {
		t.Errorf("flush %v, hijack %v; want http.ErrNotSupported for both", flushErr, hijackErr)
	}
	expect(t, rec.Last(), map[string]string{"status": "200", "attrs": ""})
}

// plainWriter is a ResponseWriter with nothing optional.
type plainWriter struct{ w http.ResponseWriter }

func (p plainWriter) Header() http.Header         { return p.w.Header() }
func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p plainWriter) WriteHeader(code int)        { p.w.WriteHeader(code) }

func TestDeadlinesThroughUnwrap(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
	}), nil)
	e.do(t, "GET", "/", nil, "")
}

func TestHijack(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		brw.Flush()
	}), nil)
	resp, body := e.do(t, "GET", "/ws", nil, "")
	if resp.StatusCode != 200 || body != "hijacked" {
		t.Errorf("response %d %q", resp.StatusCode, body)
	}
	expect(t, e.rec.Last(), map[string]string{"status": "", "attrs.hijacked": "true", "attrs.client_gone": "", "level": "INFO"})

	// The direct method too, for code that asserts http.Hijacker.
	e2 := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		io.WriteString(conn, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		conn.Close()
	}), nil)
	if resp, _ := e2.do(t, "GET", "/", nil, ""); resp.StatusCode != 204 {
		t.Errorf("status %d", resp.StatusCode)
	}
	expect(t, e2.rec.Last(), map[string]string{"attrs.hijacked": "true"})
}

func TestReadFromCountsBytes(t *testing.T) {
	data := make([]byte, 300<<10)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	serveFile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if _, ok := w.(io.ReaderFrom); !ok {
			t.Errorf("the wrapper hides io.ReaderFrom")
		}
		w.Header().Set("Content-Length", "307200")
		if n, err := io.Copy(w, f); err != nil || n != int64(len(data)) {
			t.Errorf("io.Copy = %d, %v", n, err)
		}
	})
	e := newEnv(t, serveFile, nil)
	_, body := e.do(t, "GET", "/blob", nil, "")
	if body != string(data) {
		t.Errorf("body differs: %d bytes, want %d", len(body), len(data))
	}
	expect(t, e.rec.Last(), map[string]string{"status": "200", "rpc.response_bytes": "307200"})

	// Over a writer without ReadFrom, the fallback copy counts too.
	rec, rep := newRecorderReporter(t, nil)
	w := newRecorder()
	httpaudit.New(rep)(serveFile).ServeHTTP(plainWriter{w}, newRequest("GET", "/blob", ""))
	if !bytes.Equal(w.Body.Bytes(), data) {
		t.Errorf("fallback copy: body differs")
	}
	expect(t, rec.Last(), map[string]string{"rpc.response_bytes": "307200"})
}

func TestClientGone(t *testing.T) {
	started := make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first part\n")
		http.NewResponseController(w).Flush()
		close(started)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			t.Errorf("the server never saw the client go")
		}
	}), nil)
	resp, err := e.srv.Client().Get(e.srv.URL + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	<-started
	resp.Body.Close() // mid-body: the transport closes the connection
	e.wait(t, 1)
	expect(t, e.rec.Last(), map[string]string{
		"status": "200", "attrs.client_gone": "true", "rpc.response_bytes": "11", "outcome": "success",
	})
}

func TestRequestBodyPassesThrough(t *testing.T) {
	var (
		mu   sync.Mutex
		got  []byte
		rerr error
	)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		mu.Lock()
		got, rerr = b, err
		mu.Unlock()
		if err := r.Body.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	})
	big := make([]byte, 200<<10)
	rand.Read(big)
	for _, c := range []struct {
		name    string
		body    []byte
		chunked bool // unknown length
		limit   int
		action  string
	}{
		{"small", []byte(`{"os-start": null}`), false, 0, "start"},
		{"small chunked", []byte(`{"reboot": {"type": "HARD"}}`), true, 0, "reboot"},
		{"exactly the limit", []byte(`{"pause":null}`), false, 14, "pause"},
		{"one byte over the limit", []byte(`{"pause":null} `), false, 14, "unknown"},
		{"one byte over, chunked", []byte(`{"pause":null} `), true, 14, "unknown"},
		{"large, declared", big, false, 1024, "unknown"},
		{"large, chunked", big, true, 1024, "unknown"},
		{"large over default limit", append([]byte(`{"pause":"`), big...), true, 0, "unknown"},
		{"not json", big[:100], false, 0, "unknown"},
		{"limit zero reads nothing", []byte(`{"pause":null}`), false, -1, "unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var opts []httpaudit.Option
			if c.limit != 0 {
				opts = append(opts, httpaudit.WithBodyLimit(max(c.limit, 0)))
			}
			e := newEnv(t, h, nil, opts...)
			var body io.Reader = bytes.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // hides the length from the client
			}
			req, _ := http.NewRequest("POST", e.srv.URL+"/v2.1/servers/abc/action", body)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			e.wait(t, 1)
			mu.Lock()
			defer mu.Unlock()
			if rerr != nil || !bytes.Equal(got, c.body) {
				t.Errorf("handler got %d bytes (%v), want the %d sent, byte for byte", len(got), rerr, len(c.body))
			}
			expect(t, e.rec.Last(), map[string]string{"action": c.action, "target.id": "abc", "status": "202"})
		})
	}
}

// failingBody returns some bytes, then an error.
type failingBody struct {
	data []byte
	err  error
}

func (f *failingBody) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func (f *failingBody) Close() error { return nil }

func TestRequestBodyErrorPassesThrough(t *testing.T) {
	rec, rep := newRecorderReporter(t, nil)
	errReset := errors.New("connection reset")
	var got []byte
	var gotErr error
	h := httpaudit.New(rep)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotErr = io.ReadAll(r.Body)
	}))
	r := newRequest("POST", "/servers/abc/action", "")
	r.Body = &failingBody{data: []byte(`{"pause"`), err: errReset}
	r.ContentLength = -1
	h.ServeHTTP(newRecorder(), r)
	if string(got) != `{"pause"` || gotErr != errReset {
		t.Errorf("handler read %q, %v; want the bytes that came, then the error", got, gotErr)
	}
	expect(t, rec.Last(), map[string]string{"action": "unknown"})
}
