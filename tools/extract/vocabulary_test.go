package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/novaapi"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
	"github.com/auditlog-go/auditlog/tools/input"
)

// lockedBuffer collects the middleware's lines from the server's
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// named is what a line or a record says about a server action.
type named struct{ action, api string }

// fromLine reads action and attrs.api_action from an audit line.
func fromLine(t *testing.T, line string) named {
	t.Helper()
	var v struct {
		Action string
		Attrs  map[string]any
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	api, _ := v.Attrs[novaapi.AttrAPIAction].(string)
	return named{v.Action, api}
}

// TestOneVocabulary sends every server action of the README's table (and
// a key nova never had) through the real HTTP middleware on loopback, and
// reads the same request back as log-extract does: from the middleware's
// audit line, from such a line as older versions wrote it (the body's key
// as the action, no attrs), and from nova-api's text log (the DEBUG line
// that shows the body, and the access line). Each gives the same action
// and the same attrs.api_action, and log-extract's own line of the record
// says what the middleware's line said.
func TestOneVocabulary(t *testing.T) {
	var lines lockedBuffer
	h := auditlog.NewHandler(&lines, &auditlog.Options{Service: "nova-api"})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	})
	audited := httpaudit.New(middleware.NewReporter(h), httpaudit.WithTrustedIdentity(true))(app)
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		audited.ServeHTTP(w, r)
	}))
	defer srv.Close()

	const vm = "5f1e0b9c-0000-4000-8000-000000000002"
	keys := novaapi.ServerActions()
	keys = append(keys, novaapi.ActionName{Key: "os-doSomethingNew", Action: "do-something-new"})
	for i, k := range keys {
		want := named{k.Action, ""}
		if k.Key != k.Action {
			want.api = k.Key
		}
		body := fmt.Sprintf(`{%q: null}`, k.Key)
		path := "/v2.1/p1/servers/" + vm + "/action"

		// The middleware.
		req, err := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-OpenStack-Request-ID", reqID(i))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the server did not finish the request")
		}
		line := strings.TrimSuffix(lines.take(), "\n")
		if got := fromLine(t, line); got != want {
			t.Errorf("%s: the middleware's line says %+v, want %+v", k.Key, got, want)
		}

		// log-extract on that line, and on the line an older middleware
		// wrote: the key as the action, no attrs.
		var old map[string]any
		if err := json.Unmarshal([]byte(line), &old); err != nil {
			t.Fatal(err)
		}
		old["action"] = k.Key
		delete(old, "attrs")
		oldLine, err := json.Marshal(old)
		if err != nil {
			t.Fatal(err)
		}
		for name, l := range map[string]string{"JSON": line, "old JSON": string(oldLine)} {
			var got []action.Action
			e := New(Options{}, func(a action.Action) error { got = append(got, a); return nil })
			if err := e.AddJSON("api.json", 1, []byte(l)); err != nil {
				t.Fatal(err)
			}
			if err := e.Flush(true); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || (named{got[0].Action, got[0].APIAction}) != want || got[0].Match != action.MatchAPI {
				t.Errorf("%s: log-extract's %s path gives %+v, want %+v", k.Key, name, got, want)
			}
		}

		// log-extract on nova-api's text log of the same request.
		ctx := fmt.Sprintf("[%s u1 p1 - - -]", reqID(i))
		text := fmt.Sprintf("2026-11-23 10:00:00.100 100 DEBUG nova.api.openstack.wsgi %s Action: 'action', body: %s _process_stack /x.py:1\n"+
			"2026-11-23 10:00:00.300 100 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 \"POST %s HTTP/1.1\" status: 202 len: 0 time: 0.2000000\n",
			ctx, body, ctx, path)
		var got []action.Action
		if _, err := Run(context.Background(), nil, Options{Input: input.Options{Stdin: strings.NewReader(text)}}, func(a action.Action) error {
			got = append(got, a)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || (named{got[0].Action, got[0].APIAction}) != want || got[0].Match != action.MatchRequestID {
			t.Fatalf("%s: log-extract's text path gives %+v, want %+v", k.Key, got, want)
		}

		// log-extract's own line of the record says the same.
		var out bytes.Buffer
		s := store.NewJSONLines(&out, nil)
		if _, err := s.Write(context.Background(), got); err != nil {
			t.Fatal(err)
		}
		if got := fromLine(t, out.String()); got != want {
			t.Errorf("%s: log-extract's line says %+v, want %+v", k.Key, got, want)
		}
	}
}

// TestOtherModesOneShape holds the names of glance's and neutron's actions
// to the same shape as the server actions', with the API's own name of a
// neutron router action kept beside ours.
func TestOtherModesOneShape(t *testing.T) {
	for _, c := range []struct {
		classify     func(string, string) (Request, bool)
		method, path string
		action, api  string
	}{
		{ClassifyGlance, "PUT", "/v2/images/i1/tags/gold", "add-tag", ""},
		{ClassifyGlance, "DELETE", "/v2/images/i1/tags/gold", "remove-tag", ""},
		{ClassifyGlance, "POST", "/v2/images/i1/members", "add-member", ""},
		{ClassifyGlance, "PUT", "/v2/images/i1/members/m1", "update-member", ""},
		{ClassifyGlance, "DELETE", "/v2/images/i1/members/m1", "remove-member", ""},
		{ClassifyGlance, "POST", "/v2/images/i1/actions/deactivate", "deactivate", ""},
		{ClassifyGlance, "PUT", "/v2/images/i1/file", "upload", ""},
		{ClassifyNeutron, "PUT", "/v2.0/routers/r1/add_router_interface", "add-router-interface", "add_router_interface"},
		{ClassifyNeutron, "PUT", "/v2.0/routers/r1/remove_router_interface.json", "remove-router-interface", "remove_router_interface"},
		{ClassifyNeutron, "POST", "/v2.0/floatingips", "create", ""},
	} {
		r, ok := c.classify(c.method, c.path)
		if !ok || r.Action != c.action || r.APIAction != c.api {
			t.Errorf("%s %s = %q (%q), %v; want %q (%q)", c.method, c.path, r.Action, r.APIAction, ok, c.action, c.api)
		}
		if novaapi.Verb(r.Action) != r.Action {
			t.Errorf("%s %s: %q is not lowercase kebab-case", c.method, c.path, r.Action)
		}
	}
}
