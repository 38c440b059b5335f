package httpaudit

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/novaapi"
)

// ActionRequest is what an [ActionMap] sees of a finished request. The
// middleware owns it and reuses nothing across requests, but a map must not
// keep it (or Body) after Name returns.
type ActionRequest struct {
	Method string
	Path   string // r.URL.Path
	// Pattern is the route pattern that matched, without method and host
	// ("/v2.1/servers/{id}"), or "" when no pattern is known.
	Pattern string
	// Body is the start of the request body, read before the handler ran,
	// when BodyNeeded asked for it; nil otherwise.
	Body []byte
	// BodyComplete reports whether Body is the whole body. A body longer
	// than the limit (WithBodyLimit), or one whose reading failed, is not.
	BodyComplete bool

	// apiAction is the body key of a server action that ComputeActions
	// named otherwise (os-migrateLive for live-migrate), for the line's
	// attrs.api_action; set by the package's own maps only.
	apiAction string
}

// attrs returns the attributes the naming of r adds to its line: the API's
// own name of the action, when it differs from ours. It is nil, and costs
// nothing, for every other request.
func (r *ActionRequest) attrs() []slog.Attr {
	if r.apiAction == "" {
		return nil
	}
	return []slog.Attr{slog.String(novaapi.AttrAPIAction, r.apiAction)}
}

// An ActionMap names what a request did, in CADF's terms: the action (create,
// read, pause…) and the target resource. The middleware asks it once per
// logged request, after the handler ran, so that the route pattern is known.
// Implementations must be safe for concurrent use.
type ActionMap interface {
	// BodyNeeded reports whether Name needs the start of the body of a
	// request with this method and path. It is called before the handler
	// runs on every logged request, so it must be cheap and should say yes
	// only where the body names the action: reading a body the handler
	// might never have read costs time, and answers an "Expect:
	// 100-continue" the handler might have refused.
	BodyNeeded(method, path string) bool

	// Name returns the action and the target of r. Either may be empty
	// when the map cannot tell; it must not guess.
	Name(r *ActionRequest) (action string, target auditlog.Target)
}

var (
	// CRUDActions names actions from the method alone, as CADF does: POST
	// is create, GET and HEAD read, PUT and PATCH update, DELETE delete,
	// anything else unknown. The target's type is the last collection in
	// the route and its id the path segment after it. With a route pattern
	// (Go 1.22 ServeMux or WithRoute), literal segments are collections and
	// wildcards ids, exactly. Without one, a segment is read as an id when
	// it holds a digit (UUIDs, numbers, hex ids) and as a collection
	// otherwise; a version segment (v2, v2.1) is neither. It never reads
	// the body.
	CRUDActions ActionMap = crudActions{}

	// ComputeActions is CRUDActions plus the OpenStack compute (Nova) API
	// for servers, the default map. It recognises /servers under an
	// optional version (/v2, /v2.1), an optional project id after the
	// version (/v2.1/{project_id}/servers) and an optional mount point
	// before it (/compute/v2.1/servers), and names:
	//
	//	POST   /servers                      create  server
	//	GET    /servers, /servers/detail     read    server
	//	GET    /servers/{id}                 read    server {id}
	//	PUT    /servers/{id}                 update  server {id}
	//	DELETE /servers/{id}                 delete  server {id}
	//	POST   /servers/{id}/action          the body's single top-level key
	//	POST   /servers/{id}/remote-consoles console server {id}
	//
	// A server action is named by the single key of its JSON body, as Nova
	// dispatches it, in the one vocabulary of lowercase kebab-case verbs
	// that log-extract names them by too (internal/novaapi; the README's
	// table): {"pause": null} is pause, {"reboot": {…}} reboot,
	// {"os-migrateLive": {…}} live-migrate, {"createImage": {…}}
	// create-image, os-start and os-stop start and stop, and the old
	// console actions (os-getVNCConsole and the like) console, as
	// remote-consoles is. A key not in the table is made kebab-case
	// (fooBar is foo-bar). When the body's key differs from the action,
	// the line keeps it as attrs.api_action. A body that is not a JSON
	// object with exactly one key, is longer than the body limit, or whose
	// key is not a plausible name (1 to 64 letters, digits, '-', '_', '.',
	// ':') gives "unknown": the map never guesses.
	// Sub-resources of a server (/servers/{id}/os-volume_attachments/{a})
	// are named by method, with the sub-collection as target type.
	ComputeActions ActionMap = computeActions{}
)

// Actions named by the maps that are not HTTP verbs.
const (
	actionUnknown = "unknown"
	actionConsole = "console"
)

// methodAction is CADF's reading of an HTTP method.
func methodAction(method string) string {
	switch method {
	case http.MethodPost:
		return "create"
	case http.MethodGet, http.MethodHead:
		return "read"
	case http.MethodPut, http.MethodPatch:
		return "update"
	case http.MethodDelete:
		return "delete"
	}
	return actionUnknown
}

type crudActions struct{}

func (crudActions) BodyNeeded(string, string) bool { return false }

func (crudActions) Name(r *ActionRequest) (string, auditlog.Target) {
	return methodAction(r.Method), routeTarget(r.Pattern, r.Path)
}

// routeTarget is CRUDActions' target: see its doc comment.
func routeTarget(pattern, path string) auditlog.Target {
	var t auditlog.Target
	if pattern != "" {
		// Walk pattern and path side by side; they have the same segments
		// up to a {name...} wildcard, which matches the rest.
		pat, rest := pattern, path
		prevLiteral := false
		for pat != "" {
			var ps, s string
			ps, pat = nextSegment(pat)
			s, rest = nextSegment(rest)
			switch {
			case ps == "" || ps == "{$}":
				prevLiteral = false
			case ps[0] == '{' && ps[len(ps)-1] == '}':
				if prevLiteral {
					t.ID = s
				}
				prevLiteral = false
			case novaapi.IsVersion(ps):
				prevLiteral = false
			default:
				t.Type, t.ID = ps, ""
				prevLiteral = true
			}
		}
		return t
	}
	prevName := false
	for rest := path; rest != ""; {
		var s string
		s, rest = nextSegment(rest)
		switch {
		case s == "" || novaapi.IsVersion(s):
			prevName = false
		case hasDigit(s):
			if prevName {
				t.ID = s
			}
			prevName = false
		default:
			t.Type, t.ID = s, ""
			prevName = true
		}
	}
	return t
}

// nextSegment returns the first segment of a slash-separated path and the
// rest after it, without allocating.
func nextSegment(p string) (seg, rest string) {
	p = strings.TrimPrefix(p, "/")
	// IndexByte, not Cut: Cut searches for a string, which for one byte
	// costs a dispatch per segment for nothing.
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

type computeActions struct{}

func (computeActions) BodyNeeded(method, path string) bool {
	if method != http.MethodPost || !strings.HasSuffix(path, "/action") {
		return false
	}
	tail, ok := serversTail(path)
	if !ok {
		return false
	}
	_, rest := nextSegment(tail)
	return rest == "action"
}

func (computeActions) Name(r *ActionRequest) (string, auditlog.Target) {
	tail, ok := serversTail(r.Path)
	if !ok {
		return crudActions{}.Name(r)
	}
	t := auditlog.Target{Type: "server"}
	verb := methodAction(r.Method)
	id, sub := nextSegment(tail)
	switch {
	case id == "" || id == "detail" && sub == "":
		return verb, t
	case sub == "":
		t.ID = id
		return verb, t
	case sub == "action" && r.Method == http.MethodPost:
		t.ID = id
		var action string
		action, r.apiAction = serverAction(r.Body, r.BodyComplete)
		return action, t
	case sub == "remote-consoles" && r.Method == http.MethodPost:
		t.ID = id
		return actionConsole, t
	}
	// A sub-resource: segments alternate collection and id below a server,
	// so the last collection and the id after it are the target.
	t = auditlog.Target{}
	for sub != "" {
		t.Type, sub = nextSegment(sub)
		t.ID, sub = nextSegment(sub)
	}
	return verb, t
}

// serversTail returns what follows "servers/" in a compute servers URL
// ("{id}/action" for /v2.1/servers/{id}/action), and whether path is one.
// The servers segment may follow a version (v2, v2.1), a version and a
// project id (the legacy /v2/{project_id}/… URLs), a mount point and a
// version (/compute/v2.1/…), or a mount point, version and project id.
func serversTail(path string) (string, bool) {
	var seg [4]string
	rest := path
	for i := range seg {
		if seg[i], rest = nextSegment(rest); seg[i] == "servers" {
			if !serversPrefix(seg[:i]) {
				return "", false
			}
			// A trailing slash or "//" is no Nova URL.
			if strings.HasSuffix(rest, "/") || strings.Contains(rest, "//") {
				return "", false
			}
			return rest, true
		}
		if rest == "" {
			break
		}
	}
	return "", false
}

// serversPrefix reports whether the segments before "servers" are one of
// the prefixes serversTail accepts.
func serversPrefix(p []string) bool {
	switch len(p) {
	case 0:
		return true
	case 1: // version
		return novaapi.IsVersion(p[0])
	case 2: // version, project; or mount, version
		return novaapi.IsVersion(p[0]) || novaapi.IsVersion(p[1])
	case 3: // mount, version, project
		return !novaapi.IsVersion(p[0]) && novaapi.IsVersion(p[1])
	}
	return false
}

// serverAction names a server action from its request body (see
// ComputeActions), and returns the body's key too when it differs from
// the name.
func serverAction(body []byte, complete bool) (action, apiAction string) {
	if !complete {
		return actionUnknown, ""
	}
	key, ok := singleKey(body)
	if !ok {
		return actionUnknown, ""
	}
	if name := novaapi.ServerAction(key); name != "" {
		return name, novaapi.APIAction(key)
	}
	return actionUnknown, ""
}

// singleKey returns the key of body when body is a JSON object with exactly
// one member, and nothing after it. A repeated key counts twice.
func singleKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	tok, err := dec.Token()
	key, isKey := tok.(string)
	if err != nil || !isKey {
		return "", false
	}
	var value json.RawMessage
	if dec.Decode(&value) != nil {
		return "", false
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", false
	}
	return key, true
}
